// The ports phones really reach: the running server's, else those `serve` would take (the settings, with its
// fallback for a privileged port this system refuses), so the tools never name a port no listener uses.
import { createServer } from 'node:net';
import type { Settings } from '../../shared/settings.js';
import { PORT_FALLBACK } from '../domain/port-fallback.js';

export interface PhonePorts {
  http: number;
  https: number;
}

/** `running`: the running server's phone URLs (ServerStatusDto.urls), when one runs. */
export async function phonePorts(settings: Pick<Settings, 'httpPort' | 'httpsPort'>, running?: { http: string; https: string }): Promise<PhonePorts> {
  if (running) return { http: portOf(running.http), https: portOf(running.https) };
  return { http: await portServeTakes(settings.httpPort), https: await portServeTakes(settings.httpsPort) };
}

const portOf = (url: string) => {
  const u = new URL(url);
  return Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
};

/** Tries the port as serve would (all addresses); only a refusal (EACCES) of a default port moves it. */
function portServeTakes(port: number): Promise<number> {
  const fallback = PORT_FALLBACK[port];
  if (!fallback) return Promise.resolve(port);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EACCES' ? fallback : port));
    probe.listen(port, () => probe.close(() => resolve(port)));
  });
}
