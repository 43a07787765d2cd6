// Which build of better-sqlite3's addon this process loads. An addon is built for one NODE_MODULE_VERSION (Node 20:
// 115, Electron 45: 150) and any other runtime refuses to load it. Node loads the package's own build; a packaged
// desktop app loads the same path, which electron-builder rebuilt for Electron; the desktop app started from a
// checkout (`npm start`) loads a build kept in the user's cache, beside Node's, which scripts/start.js makes once.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What decides the binding: the runtime's versions, whether it is a packaged app, and where the build would be. */
export interface RuntimeFacts {
  versions: { modules: string; electron?: string };
  /** A packaged Electron app (Electron sets `process.defaultApp` only when it runs an app folder: `electron .`). */
  packaged: boolean;
  /** The Electron build's file in the user's cache (electronAddonFile). */
  electronBuild: string;
}

/** The addon to load: undefined for the package's own build, else a file; or a sentence when there is none. */
export function chooseNativeBinding(facts: RuntimeFacts, exists: (file: string) => boolean): string | undefined {
  const { electron, modules } = facts.versions;
  if (!electron || facts.packaged) return undefined;
  if (exists(facts.electronBuild)) return facts.electronBuild;
  throw new Error(
    `better-sqlite3 has no build for Electron ${electron} (NODE_MODULE_VERSION ${modules}) at ${facts.electronBuild}: start the desktop app with \`npm start\`, which builds it once.`,
  );
}

/** Where a checkout keeps better-sqlite3 built for one Electron ABI: named by everything the build depends on. */
export function electronAddonFile(cacheDir: string, sqliteVersion: string, abi: string, platform: string, arch: string): string {
  return join(cacheDir, 'native', `better-sqlite3-${sqliteVersion}-electron-abi${abi}-${platform}-${arch}`, 'better_sqlite3.node');
}

/** The per-user cache folder, as each system names it. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'ucupdates', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'ucupdates');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'ucupdates');
}

/**
 * The NODE_MODULE_VERSION an addon was built for, read from the name of its entry point (`node_register_module_v150`,
 * exported by ELF, PE and Mach-O builds alike), or undefined when it has none (a Node-API addon, or not an addon).
 */
export function addonAbi(bytes: Buffer): string | undefined {
  return /node_register_module_v(\d+)/.exec(bytes.toString('latin1'))?.[1];
}

export function readAddonAbi(file: string): string | undefined {
  return existsSync(file) ? addonAbi(readFileSync(file)) : undefined;
}

export const sqliteVersion = (): string => (createRequire(import.meta.url)('better-sqlite3/package.json') as { version: string }).version;

/** This process's choice (see chooseNativeBinding), for `new Database(file, { nativeBinding })`. */
export function nativeBinding(): string | undefined {
  if (!process.versions.electron) return undefined;
  const electronBuild = electronAddonFile(userCacheDir(), sqliteVersion(), process.versions.modules, process.platform, process.arch);
  return chooseNativeBinding({ versions: process.versions, packaged: !(process as { defaultApp?: boolean }).defaultApp, electronBuild }, existsSync);
}
