// The packaging check (electron-builder's afterPack hook) on package trees laid out as electron-builder lays them out
// (Linux/Windows: resources/; macOS: ucupdates.app/Contents/Resources/). Packaging itself downloads Electron, so it
// does not run here.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import afterPack, { packagedAddonProblem } from '../../scripts/packaged-addon.js';
import { tempDir } from '../helpers.js';

const require = createRequire(import.meta.url);
const NODE_BUILD = join(require.resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');
const ADDON = ['app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release'];

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => (tmp = await tempDir('ucu-pack-')));
after(() => tmp.remove());

function packageTree(name: string, resources: string[], addon?: string | Buffer): string {
  const out = join(tmp.dir, name);
  const folder = join(out, ...resources, ...ADDON);
  mkdirSync(folder, { recursive: true });
  if (addon !== undefined) writeFileSync(join(folder, 'better_sqlite3.node'), addon);
  return out;
}

test('a package whose addon is built for its Electron passes, on every layout', () => {
  assert.equal(packagedAddonProblem(packageTree('linux-unpacked', ['resources'], 'node_register_module_v150'), '150'), undefined);
  assert.equal(packagedAddonProblem(packageTree('mac', ['ucupdates.app', 'Contents', 'Resources'], 'node_register_module_v150'), '150'), undefined);
  assert.doesNotThrow(() => afterPack({ appOutDir: join(tmp.dir, 'linux-unpacked') }));
});

test("a package carrying Node's build (npm_config_nodedir set while packaging) is refused in one sentence", () => {
  const out = packageTree('nodedir', ['resources']);
  const addon = join(out, 'resources', ...ADDON, 'better_sqlite3.node');
  copyFileSync(NODE_BUILD, addon);
  const sentence = `The packaged better-sqlite3 (${addon}) is built for NODE_MODULE_VERSION ${process.versions.modules}, not for Electron's 150: package with npm_config_nodedir empty (README, "Desktop app and packages").`;
  assert.equal(packagedAddonProblem(out, '150'), sentence);
  assert.throws(() => afterPack({ appOutDir: out }), { message: sentence });
});

test('a package without the unpacked addon is refused', () => {
  assert.match(packagedAddonProblem(packageTree('packed', ['resources']), '150')!, /has no .*better_sqlite3\.node: better-sqlite3 must stay in asarUnpack/);
});
