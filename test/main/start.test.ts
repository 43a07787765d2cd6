// `npm start` (scripts/start.js) as a real process: it opens the desktop app where Electron and its build of
// better-sqlite3 are there, and otherwise serves headless with one sentence saying why and the sign-in link. Electron
// is played by a shell script named by ELECTRON_OVERRIDE_DIST_PATH (electron's own override of its binary's folder).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { electronAddonFile } from '../../src/server/infra/db/native-binding.js';
import { closedUrl, tempDir } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const SQLITE_VERSION = (require('better-sqlite3/package.json') as { version: string }).version;
const SIGN_IN = /^ {2}sign in: http:\/\/127\.0\.0\.1:\d+\/#signin=\S+/m;

let tmp: { dir: string; remove: () => Promise<void> };
let fakeElectron: string;
before(async () => {
  tmp = await tempDir('ucu-start-');
  fakeElectron = join(tmp.dir, 'electron-dist');
  mkdirSync(fakeElectron);
  writeFileSync(join(fakeElectron, 'electron'), '#!/bin/sh\necho "electron $*"\n');
  chmodSync(join(fakeElectron, 'electron'), 0o755);
});
after(() => tmp.remove());

/** Runs `node scripts/start.js` until it prints the sign-in link (then stops it) or ends; its output. */
function start(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  const home = join(tmp.dir, name);
  const child = spawn(process.execPath, ['scripts/start.js', '--http-port', '0', '--https-port', '0', '--admin-port', '0'], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, 'cache'), UCUPDATES_DATA: join(home, 'data'), UCUPDATES_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000); // a start that never signs in must not hang the run
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (SIGN_IN.test(out)) child.kill('SIGTERM'); // start.js passes it on to the server it started
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      resolve(out);
    });
  });
}

test('no display: headless, with the reason and the sign-in link', async () => {
  const out = await start('no-display', { DISPLAY: '', WAYLAND_DISPLAY: '' });
  assert.match(out, /^Starting headless: there is no display\. Open the sign-in link below in a browser on this machine\.$/m);
  assert.match(out, SIGN_IN);
});

test("Electron's binary missing: headless in one sentence, not a spawn error", async () => {
  const out = await start('no-binary', { DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: join(tmp.dir, 'nowhere') });
  assert.match(out, new RegExp(`^Starting headless: Electron's binary is not at ${join(tmp.dir, 'nowhere', 'electron')}\\. Open the sign-in link`, 'm'));
  assert.match(out, SIGN_IN);
});

test('Electron without a better-sqlite3 build that can be made: the attempt, its failure in one sentence, then headless', async () => {
  // npm_config_nodedir as npm exports it: were it passed on, node-gyp would build for Node's ABI from local headers
  const out = await start('offline', { DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: fakeElectron, ELECTRON_REBUILD_DIST_URL: await closedUrl(), npm_config_nodedir: '/usr' });
  const lines = out.split('\n');
  assert.match(lines[0]!, /^Building better-sqlite3 .* \(NODE_MODULE_VERSION 150\) into .*: once, about a minute\.$/);
  assert.match(
    lines[1]!,
    /^Starting headless: better-sqlite3 could not be built for Electron 45\.\S+: it needs the network once, to download Electron's headers, and there is none \(details in .*build\.log\)\. Open the sign-in link below in a browser on this machine\.$/,
  );
  assert.doesNotMatch(out, /^electron /m);
  assert.match(out, SIGN_IN);
});

test('Electron with its better-sqlite3 build: the desktop app is started on this folder, with the arguments given', async () => {
  const home = join(tmp.dir, 'built');
  const file = electronAddonFile(join(home, 'cache', 'ucupdates'), SQLITE_VERSION, '150', process.platform, process.arch);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, 'ELF … node_register_module_v150 …');
  const out = await start('built', { DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: fakeElectron });
  assert.equal(out, `electron ${ROOT} --http-port 0 --https-port 0 --admin-port 0\n`);
});
