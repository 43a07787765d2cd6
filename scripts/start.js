#!/usr/bin/env node
// `npm start`: the desktop console where Electron can run; where it cannot (a server, no display, no Electron
// binary, no better-sqlite3 build for Electron and none can be made), the same service headless, which prints a
// one-time sign-in link for a browser on this machine.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

function electronBinary() {
  if (process.env.UCUPDATES_HEADLESS === '1') return { reason: 'UCUPDATES_HEADLESS=1 is set' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display' };
  let path;
  try {
    path = require('electron'); // downloads the binary on first use where the network allows
  } catch {
    return { reason: "Electron's binary is not installed and could not be downloaded" };
  }
  return existsSync(path) ? { path } : { reason: `Electron's binary is not at ${path}` };
}

/** Electron, once better-sqlite3 has a build for its ABI (made now if need be); else why not. */
async function desktop() {
  const electron = electronBinary();
  if (!electron.path) return electron;
  const { tsImport } = await import('tsx/esm/api'); // a checkout: devDependencies are there
  const { ensureElectronAddon } = await tsImport('./electron-addon.ts', import.meta.url);
  const electronDir = dirname(require.resolve('electron/package.json'));
  const addon = await ensureElectronAddon({ electronDir, env: process.env, say: (line) => console.log(line) });
  return 'reason' in addon ? addon : electron;
}

const electron = await desktop();
const [cmd, args] = electron.path
  ? [electron.path, [root, ...process.argv.slice(2)]]
  : [process.execPath, [`${root}bin/ucupdates.js`, 'serve', ...process.argv.slice(2)]];
if (!electron.path) console.log(`Starting headless: ${electron.reason}. Open the sign-in link below in a browser on this machine.`);
const child = spawn(cmd, args, { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 1)));
