// Which better-sqlite3 addon a process loads: Node's own build under Node, the Electron build under the desktop app
// started from a checkout, electron-builder's under a packaged app. Electron cannot run here, so a real Node process
// is told it is Electron (process.versions.electron, process.defaultApp) and opens a real store: what it maps into
// memory (/proc/self/maps) says which addon it loaded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { addonAbi, chooseNativeBinding, electronAddonFile, userCacheDir } from '../../src/server/infra/db/native-binding.js';
import { tempDir } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const NODE_BUILD = join(require.resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');
const SQLITE_VERSION = (require('better-sqlite3/package.json') as { version: string }).version;
const ELECTRON_45 = { node: '22.20.0', modules: '150', electron: '45.4.1' };
const BUILD = '/cache/ucupdates/native/better-sqlite3-12.11.1-electron-abi150-linux-x64/better_sqlite3.node';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => (tmp = await tempDir('ucu-binding-')));
after(() => tmp.remove());

test('under Node the package loads its own build, whatever else is there', () => {
  assert.equal(chooseNativeBinding({ versions: process.versions, packaged: false, electronBuild: BUILD }, () => true), undefined);
});

test('the desktop app from a checkout loads the Electron build, or says how to make it', () => {
  assert.equal(chooseNativeBinding({ versions: ELECTRON_45, packaged: false, electronBuild: BUILD }, (f) => f === BUILD), BUILD);
  assert.throws(() => chooseNativeBinding({ versions: ELECTRON_45, packaged: false, electronBuild: BUILD }, () => false), {
    message: `better-sqlite3 has no build for Electron 45.4.1 (NODE_MODULE_VERSION 150) at ${BUILD}: start the desktop app with \`npm start\`, which builds it once.`,
  });
});

test('a packaged app loads the package path, which electron-builder rebuilt for its Electron', () => {
  assert.equal(chooseNativeBinding({ versions: ELECTRON_45, packaged: true, electronBuild: BUILD }, () => false), undefined);
});

test("the Electron build is named by all it depends on, in each system's cache folder", () => {
  assert.equal(electronAddonFile('/c', '12.11.1', '150', 'linux', 'x64'), BUILD.replace('/cache/ucupdates', '/c'));
  assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux', '/home/a'), '/x/ucupdates');
  assert.equal(userCacheDir({}, 'linux', '/home/a'), '/home/a/.cache/ucupdates');
  assert.equal(userCacheDir({}, 'darwin', '/Users/a'), '/Users/a/Library/Caches/ucupdates');
  assert.equal(userCacheDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32', 'C:\\Users\\a').replaceAll('\\', '/'), 'C:/Users/a/AppData/Local/ucupdates/Cache');
});

test("an addon's NODE_MODULE_VERSION is read from its entry point's name", () => {
  assert.equal(addonAbi(readFileSync(NODE_BUILD)), process.versions.modules);
  assert.equal(addonAbi(Buffer.from('not an addon')), undefined);
});

test('a file chosen as the binding is the addon better-sqlite3 loads', () => {
  const db = new Database(':memory:', { nativeBinding: chooseNativeBinding({ versions: ELECTRON_45, packaged: false, electronBuild: NODE_BUILD }, () => true) });
  assert.equal(db.pragma('user_version', { simple: true }), 0);
  db.close();
});

/** Opens a store (and its lock) in a Node process that calls itself Electron started from a checkout. */
function openAsElectron(cacheDir: string, dataDir: string): { loaded: string[] } | { error: string } {
  const url = (p: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', p)).href);
  const script = `
    Object.defineProperty(process.versions, 'electron', { value: '45.4.1', enumerable: true });
    process.defaultApp = true;
    (async () => {
      try {
        const { lockDataFolder } = await import(${url('server/infra/data-lock.ts')});
        const { openDatabase } = await import(${url('server/infra/db/connection.ts')});
        lockDataFolder(process.argv[1]);
        openDatabase(process.argv[1] + '/ucupdates.db');
        const maps = require('node:fs').readFileSync('/proc/self/maps', 'utf8');
        console.log(JSON.stringify({ loaded: [...new Set(maps.match(/\\/\\S*better_sqlite3\\.node/g))] }));
      } catch (e) {
        console.log(JSON.stringify({ error: e.message }));
      }
    })();`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script, dataDir], { cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: cacheDir }, encoding: 'utf8' });
  return JSON.parse(out) as { loaded: string[] } | { error: string };
}

test('the desktop app opens its store and lock on the Electron build, never on Node’s', { skip: process.platform !== 'linux' && 'reads /proc/self/maps' }, () => {
  const cache = join(tmp.dir, 'cache');
  // In this (Node) process the ABI is Node's, so a copy of Node's build stands in for the Electron build.
  const build = electronAddonFile(join(cache, 'ucupdates'), SQLITE_VERSION, process.versions.modules, process.platform, process.arch);
  mkdirSync(join(build, '..'), { recursive: true });
  copyFileSync(NODE_BUILD, build);
  assert.deepEqual(openAsElectron(cache, join(tmp.dir, 'with-build')), { loaded: [build] });
});

test('without the Electron build the desktop app stops at the store with the sentence, not with a loader error', () => {
  const cache = join(tmp.dir, 'empty-cache');
  const build = electronAddonFile(join(cache, 'ucupdates'), SQLITE_VERSION, process.versions.modules, process.platform, process.arch);
  assert.deepEqual(openAsElectron(cache, join(tmp.dir, 'without-build')), {
    error: `better-sqlite3 has no build for Electron 45.4.1 (NODE_MODULE_VERSION ${process.versions.modules}) at ${build}: start the desktop app with \`npm start\`, which builds it once.`,
  });
});
