// The desktop shell's decisions, kept out of main.ts so they are tested without the Electron binary.
import type { ServerOptions } from '../server/compose.js';

/** The desktop app serves phones on the configured ports, but its admin API only on loopback. */
export function desktopServerOptions(dataDir: string): ServerOptions {
  return { dataDir, overrides: { adminHost: '127.0.0.1' } };
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
