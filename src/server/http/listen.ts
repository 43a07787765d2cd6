// Listening for the server's listeners, in the server process and in phone workers alike: a refused default
// privileged port falls back, and a port that cannot be had is said in one sentence.
import type { AddressInfo, Server } from 'node:net';
import type { Logger } from 'pino';
import { PORT_FALLBACK } from '../domain/port-fallback.js';

/** Listens; a default privileged port (80, 443) that is refused falls back to 8080/8443 with a warning. */
export async function listen(server: Server, port: number, host: string | undefined, log: Logger, what: string): Promise<number> {
  try {
    return await listenOnce(server, port, host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const fallback = PORT_FALLBACK[port];
    if (fallback && code === 'EACCES') {
      log.warn(`${what}: port ${port} needs administrator rights here; using ${fallback} instead (set the port, or run as a service).`);
      return listenOnce(server, fallback, host);
    }
    const why: Record<string, string> = {
      EADDRINUSE: 'another program uses it; stop it or choose another port',
      EACCES: 'it needs administrator rights here; choose a port above 1023 or give the service the right to bind it',
      EADDRNOTAVAIL: `this machine has no address ${host}; choose one of its addresses`,
    };
    throw new Error(`${what}: cannot listen on port ${port}${host ? ` of ${host}` : ''}: ${why[code ?? ''] ?? (e as Error).message}.`);
  }
}

function listenOnce(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and ends the server's connections (an HTTP server's; a plain one's were handed on). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
  });
}
