// The desktop shell's decisions, kept out of main.ts so they are tested without the Electron binary.
import type { ServerOptions } from '../server/compose.js';

/** The desktop app serves phones on the configured ports, but its admin API only on loopback, in plain HTTP (its window
 *  would refuse a self-signed certificate, and nothing leaves the machine). */
export function desktopServerOptions(dataDir: string): ServerOptions {
  return { dataDir, overrides: { adminHost: '127.0.0.1', adminTls: false } };
}

/** The console window may show the console itself; anything else opens in the system browser. */
export function isConsoleUrl(url: string, adminUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(adminUrl).origin;
  } catch {
    return false;
  }
}

export function windowTitle(urls: { http: string; https: string }): string {
  return `ucupdates: serving phones at ${urls.http} and ${urls.https}`;
}

/** Embedded (the server runs in this app) or remote (the window shows the console of a headless `ucupdates serve`). */
export type DesktopMode = { kind: 'embedded' } | { kind: 'remote'; url: string };

/** `--server https://host:8090` (or UCUPDATES_SERVER) connects to a remote server instead of embedding one. */
export function desktopMode(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DesktopMode {
  const i = argv.indexOf('--server');
  const value = i >= 0 ? argv[i + 1] : env.UCUPDATES_SERVER;
  if (!value) return { kind: 'embedded' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`"${value}" is not a server address: give one like https://ucupdates.contoso.com:8090.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${value}" is not an http(s) address.`);
  return { kind: 'remote', url: url.origin };
}
