// better-sqlite3 built for Electron, made once by `npm start` (start.js) before the desktop app opens. A copy
// of the package is rebuilt by @electron/rebuild in a staging folder of the user's cache, its addon checked and kept
// where native-binding.ts looks, and the copy removed: Node's own build (the CLI, the tests) is never touched.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { electronAddonFile, readAddonAbi, sqliteVersion, userCacheDir } from '../src/server/infra/db/native-binding.js';

const require = createRequire(import.meta.url);

export interface ElectronTarget {
  version: string;
  /** Its NODE_MODULE_VERSION (process.versions.modules inside Electron). */
  abi: string;
}

/** The installed Electron's version and ABI, read from its package (loading `electron` would download its binary). */
export function electronTarget(electronDir: string): ElectronTarget {
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
  return { version, abi: readFileSync(join(electronDir, 'abi_version'), 'utf8').trim() };
}

/**
 * The command that rebuilds the staged copy for Electron: @electron/rebuild's CLI, without npm's `nodedir`. Under
 * `npm start` npm exports its config (here nodedir=/usr), and node-gyp would then build against Node's headers, for
 * Node's ABI, without a word.
 */
export function rebuildCommand(o: { node: string; cli: string; electronVersion: string; stageDir: string; env: NodeJS.ProcessEnv }) {
  const env = Object.fromEntries(Object.entries(o.env).filter(([k]) => k.toLowerCase() !== 'npm_config_nodedir'));
  return {
    command: o.node,
    args: [o.cli, '--version', o.electronVersion, '--module-dir', o.stageDir, '--only', 'better-sqlite3', '--force'],
    env,
  };
}

/** Why a build failed, in words, from its log: what the admin can change. */
export function buildFailure(log: string): string {
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|network connectivity|getaddrinfo/i.test(log)) {
    return "it needs the network once, to download Electron's headers, and there is none";
  }
  if (/not found: (make|python|g\+\+|c\+\+|cc)\b|find Python|find any Visual Studio|No Xcode/i.test(log)) {
    return 'it needs a C++ build toolchain (Linux: make, g++ and Python; Windows: Visual Studio Build Tools; macOS: Xcode command line tools)';
  }
  return 'the build failed';
}

export type AddonResult = { file: string } | { reason: string };

export interface AddonOptions {
  /** The electron package's folder (for its version and ABI). */
  electronDir: string;
  env: NodeJS.ProcessEnv;
  /** Progress and outcome lines for the admin. */
  say(line: string): void;
}

/** The Electron build of better-sqlite3: the one already made, or one made now; or why there is none. */
export async function ensureElectronAddon(o: AddonOptions): Promise<AddonResult> {
  const target = electronTarget(o.electronDir);
  const version = sqliteVersion();
  const file = electronAddonFile(userCacheDir(o.env), version, target.abi, process.platform, process.arch);
  if (readAddonAbi(file) === target.abi) return { file };

  const folder = dirname(file);
  const log = join(folder, 'build.log');
  const failed = (why: string) => ({ reason: `better-sqlite3 could not be built for Electron ${target.version}: ${why}` });
  try {
    mkdirSync(folder, { recursive: true });
  } catch {
    return failed(`the cache folder ${folder} cannot be written`);
  }
  o.say(`Building better-sqlite3 ${version} for Electron ${target.version} (NODE_MODULE_VERSION ${target.abi}) into ${folder}: once, about a minute.`);
  const started = Date.now();
  const ticker = setInterval(() => o.say(`  still building (${Math.round((Date.now() - started) / 1000)} s)`), 15_000);
  let stage: string | undefined;
  try {
    removeAbandonedStages(folder);
    stage = mkdtempSync(join(folder, `stage-${process.pid}-`));
    const built = await build(stage, target, o.env, log);
    const abi = readAddonAbi(built);
    if (abi !== target.abi) return failed(`it came out for NODE_MODULE_VERSION ${abi ?? 'unknown'}, not ${target.abi} (is npm_config_nodedir set?)`);
    cpSync(built, `${file}.tmp`);
    renameSync(`${file}.tmp`, file); // whole or not at all: a file there is a finished build
    o.say(`Built in ${Math.round((Date.now() - started) / 1000)} s.`);
    return { file };
  } catch (e) {
    appendFileSync(log, `\n${(e as Error).message}\n`); // a failure before or after the rebuild is in the log too
    const text = readFileSync(log, 'utf8');
    return failed(`${buildFailure(text)} (details in ${log})`);
  } finally {
    clearInterval(ticker);
    if (stage) rmSync(stage, { recursive: true, force: true });
  }
}

/** Staging copies left by a start stopped mid-build (Ctrl+C): their process is gone. Another start's build stays. */
function removeAbandonedStages(folder: string): void {
  for (const name of readdirSync(folder)) {
    const pid = /^stage-(\d+)-/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) rmSync(join(folder, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process
  }
}

/** Rebuilds a copy of the package under stage/node_modules; resolves with its addon's path, or rejects. */
async function build(stage: string, target: ElectronTarget, env: NodeJS.ProcessEnv, log: string): Promise<string> {
  const pkg = dirname(require.resolve('better-sqlite3/package.json'));
  const copy = join(stage, 'node_modules', 'better-sqlite3');
  cpSync(pkg, copy, { recursive: true, filter: (src) => src !== join(pkg, 'build') && !src.startsWith(join(pkg, 'build') + sep) });
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'ucupdates-electron-addon', private: true, dependencies: { 'better-sqlite3': sqliteVersion() } }));
  const cli = join(dirname(require.resolve('@electron/rebuild')), 'cli.js'); // the package exports only its API
  const cmd = rebuildCommand({ node: process.execPath, cli, electronVersion: target.version, stageDir: stage, env });
  const out = openSync(log, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(cmd.command, cmd.args, { env: cmd.env, stdio: ['ignore', out, out] });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`@electron/rebuild exited with ${code}`);
  } finally {
    closeSync(out);
  }
  return join(copy, 'build', 'Release', 'better_sqlite3.node');
}
