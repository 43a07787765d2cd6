// The Electron build of better-sqlite3 that `npm start` makes once. Electron's headers cannot be downloaded here, so
// the build that runs is the real @electron/rebuild failing at that download (its headers URL is a closed loopback
// port, so it fails the same way on a machine with network); a finished build is played by a file with its marks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildFailure, electronTarget, ensureElectronAddon, rebuildCommand } from '../../scripts/electron-addon.js';
import { addonAbi, electronAddonFile } from '../../src/server/infra/db/native-binding.js';
import { closedUrl, tempDir } from '../helpers.js';

const require = createRequire(import.meta.url);
const ELECTRON_DIR = join(require.resolve('electron/package.json'), '..');
const NODE_BUILD = join(require.resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');
const SQLITE_VERSION = (require('better-sqlite3/package.json') as { version: string }).version;

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => (tmp = await tempDir('ucu-addon-')));
after(() => tmp.remove());

test('Electron 45 loads addons of NODE_MODULE_VERSION 150, which Node’s build is not', () => {
  const target = electronTarget(ELECTRON_DIR);
  assert.match(target.version, /^45\./);
  assert.equal(target.abi, '150');
  assert.equal(addonAbi(readFileSync(NODE_BUILD)), process.versions.modules);
  assert.notEqual(process.versions.modules, target.abi);
});

test("the rebuild runs @electron/rebuild's CLI on the staged copy only, without npm's nodedir", () => {
  const env = { PATH: '/usr/bin', npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr', npm_config_cache: '/c' };
  assert.deepEqual(rebuildCommand({ node: '/usr/bin/node', cli: '/nm/@electron/rebuild/lib/cli.js', electronVersion: '45.4.1', stageDir: '/s', env }), {
    command: '/usr/bin/node',
    args: ['/nm/@electron/rebuild/lib/cli.js', '--version', '45.4.1', '--module-dir', '/s', '--only', 'better-sqlite3', '--force'],
    env: { PATH: '/usr/bin', npm_config_cache: '/c' },
  });
});

test('a failed build is told in words the admin can act on', () => {
  assert.match(buildFailure('gyp ERR! stack Error: getaddrinfo ENOTFOUND artifacts.electronjs.org'), /needs the network once/);
  assert.match(buildFailure('gyp ERR! stack Error: not found: make'), /C\+\+ build toolchain/);
  assert.equal(buildFailure('something else'), 'the build failed');
});

test('a build already made is used as it is', async () => {
  const cache = join(tmp.dir, 'made');
  const file = electronAddonFile(join(cache, 'ucupdates'), SQLITE_VERSION, '150', process.platform, process.arch);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, 'ELF … node_register_module_v150 …');
  const said: string[] = [];
  assert.deepEqual(await ensureElectronAddon({ electronDir: ELECTRON_DIR, env: { XDG_CACHE_HOME: cache }, say: (l) => said.push(l) }), { file });
  assert.deepEqual(said, []);
});

test('where the build cannot be made, one sentence; nothing half-made is left (nor from a start stopped before), and Node’s build is untouched', async () => {
  const cache = join(tmp.dir, 'offline');
  const file = electronAddonFile(join(cache, 'ucupdates'), SQLITE_VERSION, '150', process.platform, process.arch);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, readFileSync(NODE_BUILD)); // a build for the wrong ABI (as npm_config_nodedir makes) is made again
  const gone = execFileSync(process.execPath, ['-p', 'process.pid'], { encoding: 'utf8' }).trim();
  mkdirSync(join(file, '..', `stage-${gone}-aBc123`, 'node_modules'), { recursive: true }); // a start stopped mid-build
  mkdirSync(join(file, '..', `stage-${process.pid}-xYz789`)); // a build going on now
  const nodeBuild = statSync(NODE_BUILD).mtimeMs;
  const env = { ...process.env, XDG_CACHE_HOME: cache, HOME: join(tmp.dir, 'home'), ELECTRON_REBUILD_DIST_URL: await closedUrl(), npm_config_nodedir: '/usr' };
  const said: string[] = [];
  const result = await ensureElectronAddon({ electronDir: ELECTRON_DIR, env, say: (l) => said.push(l) });
  const log = join(file, '..', 'build.log');
  assert.deepEqual(result, {
    reason: `better-sqlite3 could not be built for Electron ${electronTarget(ELECTRON_DIR).version}: it needs the network once, to download Electron's headers, and there is none (details in ${log})`,
  });
  assert.match(said[0]!, /^Building better-sqlite3 \S+ for Electron 45\.\S+ \(NODE_MODULE_VERSION 150\) into .+: once, about a minute\.$/);
  assert.deepEqual(readdirSync(join(file, '..')).sort(), ['better_sqlite3.node', 'build.log', `stage-${process.pid}-xYz789`], 'its staging copy is removed, and an abandoned one');
  assert.equal(addonAbi(readFileSync(file)), process.versions.modules, 'the old file stays as it was');
  assert.equal(statSync(NODE_BUILD).mtimeMs, nodeBuild);
  assert.ok(existsSync(log));
});

test('a cache folder that cannot be made is said so, before anything is built', async () => {
  const blocker = join(tmp.dir, 'a-file');
  writeFileSync(blocker, '');
  const said: string[] = [];
  const result = await ensureElectronAddon({ electronDir: ELECTRON_DIR, env: { XDG_CACHE_HOME: blocker }, say: (l) => said.push(l) });
  const folder = join(electronAddonFile(join(blocker, 'ucupdates'), SQLITE_VERSION, '150', process.platform, process.arch), '..');
  assert.deepEqual(result, { reason: `better-sqlite3 could not be built for Electron ${electronTarget(ELECTRON_DIR).version}: the cache folder ${folder} cannot be written` });
  assert.deepEqual(said, []);
});
