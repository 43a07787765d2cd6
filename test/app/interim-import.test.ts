// The OCPE interim image as admins have it: a cab, or the OCInterim folder copied from an old OCS server's
// DeviceUpdateFiles_Int (all its locales, one locale, or the DeviceUpdateFiles_Int folder itself). Real folders and a
// real gcab-built cab on a real store; what the rules then show: the images and the phones they serve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/server/app/app-error.js';
import { Catalog } from '../../src/server/app/catalog.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { interimOverview } from '../../src/server/app/interim-overview.js';
import { InventoryRecorder } from '../../src/server/app/inventory-recorder.js';
import type { Store } from '../../src/server/app/store.js';
import type { DeviceRequest } from '../../src/server/domain/device.js';
import type { Decision } from '../../src/server/domain/update-decision.js';
import { buildCab, image, writeFiles, type FixtureFile } from '../fixtures/cabs.js';
import { tempDir, withFreshStore } from '../helpers.js';

const imp = (store: Store, path: string) => importPackage(store, path, { fileName: path.split('/').pop()!, actor: 'test', kind: 'interim' });

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What the phone path serves: the catalog's snapshot of the store. */
async function catalogOf(store: Store) {
  const catalog = await Catalog.load(store);
  catalog.close();
  return catalog.current();
}

/** Everything an import could have changed, to prove a refused or repeated one changed nothing. */
async function snapshot(store: Store) {
  const blobs: string[] = [];
  for (const p of await readdir(store.paths.blobDir)) blobs.push(...(await readdir(join(store.paths.blobDir, p))));
  return {
    packages: await store.packages.list(),
    files: await store.packages.allStoreFiles(),
    interim: await store.packages.listInterim(),
    history: await store.history.list(1000),
    blobs: blobs.sort(),
  };
}

async function withFolders(fn: (dir: string, store: Store) => Promise<void>): Promise<void> {
  const t = await tempDir('ucu-interim-');
  try {
    await withFreshStore((store) => fn(t.dir, store));
  } finally {
    await t.remove();
  }
}

/** A refusal: invalid input or package, one message matching `words`, and nothing changed in the store. */
async function refused(store: Store, path: string, words: RegExp): Promise<void> {
  const before = await snapshot(store);
  await assert.rejects(imp(store, path), (e: AppError) => {
    assert.ok(e instanceof AppError, String(e));
    assert.match(e.code, /^(invalid_package|invalid_input|not_found|too_large)$/);
    assert.match(e.message, words);
    assert.doesNotMatch(e.message, /\n\s+at |ENOENT|EACCES|ELOOP/, 'no stack or raw system text');
    return true;
  });
  assert.deepEqual(await snapshot(store), before);
}

test('an OCInterim/<Locale> folder copied from an old server is imported, served from the catalog and left in place', () =>
  withFolders(async (dir, store) => {
    const enu = await writeFiles(join(dir, 'OCInterim', 'ENU'), image('.'));
    const s = await imp(store, enu);
    assert.equal(s.alreadyImported, false);
    assert.deepEqual(s.interim, [{ locale: 'ENU', version: '1.0.522.103' }]);
    assert.equal((await store.packages.list())[0]!.kind, 'interim');
    const nbt = await readFile(join(enu, 'CPE.nbt'));
    assert.equal((await store.packages.getStoreFile('ocinterim/enu/cpe.nbt'))?.sha256, sha(nbt));
    assert.ok(await store.packages.getStoreFile('ocinterim/enu/cpe.cat'));
    assert.deepEqual((await readdir(enu)).sort(), ['CPE.cat', 'CPE.nbt'], 'the admin\'s folder is copied, not moved');
    const served = (await catalogOf(store)).interim.get('ENU');
    assert.deepEqual(served?.files.map((f) => f.fileName), ['CPE.cat', 'CPE.nbt']);
  }));

test('the OCInterim folder brings all its locales; a DeviceUpdateFiles_Int folder brings its OCInterim (only)', () =>
  withFolders(async (dir, store) => {
    const oc = join(dir, 'copy', 'OCInterim');
    await writeFiles(oc, [...image('ENU'), ...image('DEU')]);
    const s = await imp(store, oc);
    assert.deepEqual(s.interim.map((i) => i.locale).sort(), ['DEU', 'ENU']);

    const int = join(dir, 'DeviceUpdateFiles_Int');
    await writeFiles(int, [...image('OCInterim/NLD'), ...image('UCPhone/Polycom/CX700/A/ENU/3.5.6907.0/CPE')]);
    await mkdir(join(int, 'Logs', 'Server'), { recursive: true });
    const t = await imp(store, int);
    assert.deepEqual(t.interim, [{ locale: 'NLD', version: '1.0.522.103' }]);
    assert.deepEqual(t.images, [], 'images are `import --tree`\'s business, not --interim\'s');
    assert.deepEqual((await store.packages.listInterim()).map((i) => i.locale), ['DEU', 'ENU', 'NLD']);
  }));

test('importing the same interim files again changes nothing, from the same folder, a wider folder or a cab', () =>
  withFolders(async (dir, store) => {
    const files = image('OCInterim/ENU');
    const cab = await buildCab(join(dir, 'cab'), 'OCInterim.cab', files);
    const root = await writeFiles(join(dir, 'Int'), files);
    await imp(store, join(root, 'OCInterim', 'ENU'));
    const first = await snapshot(store);
    for (const again of [join(root, 'OCInterim', 'ENU'), join(root, 'OCInterim'), root, cab]) {
      const s = await imp(store, again);
      assert.equal(s.alreadyImported, true, again);
      assert.deepEqual(await snapshot(store), first, again);
    }
  }));

test('a cab with the interim image is imported as before', () =>
  withFolders(async (dir, store) => {
    const cab = await buildCab(join(dir, 'cab'), 'OCInterim.cab', [...image('OCInterim/ENU'), ...image('OCInterim/FRA')]);
    const s = await imp(store, cab);
    assert.deepEqual(s.interim.map((i) => i.locale).sort(), ['ENU', 'FRA']);
    assert.equal((await store.packages.list())[0]!.kind, 'interim');
  }));

test('a cab whose files sit in one wrapper folder is served without it (the interim image and the images alike)', () =>
  withFolders(async (dir, store) => {
    const cab = await buildCab(join(dir, 'cab'), 'UCUpdates.cab', [...image('UCUpdates/OCInterim/ENU'), ...image('UCUpdates/UCPhone/Polycom/CX700/A/ENU/3.5.6907.0/CPE')]);
    const s = await imp(store, cab);
    assert.deepEqual(s.interim, [{ locale: 'ENU', version: '1.0.522.103' }]);
    const snap = await catalogOf(store);
    assert.deepEqual(snap.interim.get('ENU')?.files.map((f) => f.fileName), ['CPE.cat', 'CPE.nbt']);
    assert.deepEqual([...snap.files.keys()].sort(), [
      'ocinterim/enu/cpe.cat',
      'ocinterim/enu/cpe.nbt',
      'ucphone/polycom/cx700/a/enu/3.5.6907.0/cpe/cpe.cat',
      'ucphone/polycom/cx700/a/enu/3.5.6907.0/cpe/cpe.nbt',
    ]);
  }));

test('an interim folder that is not one is refused whole, in one sentence, and nothing changes', () =>
  withFolders(async (dir, store) => {
    await imp(store, await writeFiles(join(dir, 'good', 'OCInterim', 'ENU'), image('.')));
    const bad = (name: string, files: FixtureFile[]) => writeFiles(join(dir, name), files);

    await refused(store, await bad('nothing', [{ path: 'readme.txt', content: 'hello' }]), /neither .*OCInterim/);
    await refused(store, join(await bad('english', image('OCInterim/English')), 'OCInterim'), /"English" is not a three-letter code/);
    await refused(store, join(await bad('nocat', [{ path: 'OCInterim/DEU/CPE.nbt' }]), 'OCInterim'), /no security catalog "CPE\.cat"/);
    await refused(store, join(await bad('nonbt', [{ path: 'OCInterim/DEU/CPE.cat' }]), 'OCInterim'), /DEU.*has no CPE\.nbt/);
    await refused(store, join(await bad('empty', [{ path: 'OCInterim/DEU/CPE.nbt', content: '' }, { path: 'OCInterim/DEU/CPE.cat' }]), 'OCInterim'), /"OCInterim\/DEU\/CPE\.nbt" is empty/);
    await refused(store, join(await bad('extra', [...image('OCInterim/DEU'), { path: 'OCInterim/DEU/notes.txt', content: 'x' }]), 'OCInterim'), /"OCInterim\/DEU\/notes\.txt" is not part of an interim image/);
    await refused(store, join(await bad('deep', [...image('OCInterim/DEU/old')]), 'OCInterim'), /is not where a package keeps files/);
    await refused(store, await bad('Renamed', image('.')), /the locale folder "Renamed" is not a three-letter code/);
    await refused(store, join(dir, 'no-such-folder'), /There is no file or folder/);

    const outside = await bad('secret', [{ path: 'passwd', content: 'root:x:0:0' }]);
    const linked = await bad('linked', image('OCInterim/DEU'));
    await symlink(join(outside, 'passwd'), join(linked, 'OCInterim', 'DEU', 'CPE.bin'));
    await refused(store, join(linked, 'OCInterim'), /"OCInterim\/DEU\/CPE\.bin" is a symbolic link/);
    const dirLink = await bad('dirlink', image('OCInterim/DEU'));
    await symlink(outside, join(dirLink, 'OCInterim', 'FRA'));
    await refused(store, join(dirLink, 'OCInterim'), /"OCInterim\/FRA" is a symbolic link/);

    await store.settings.write({ maxUnpackedMB: 1 });
    await refused(store, join(await bad('big', image('OCInterim/DEU', { nbtSize: 2 * 1024 * 1024 })), 'OCInterim'), /more than the 1 MB allowed/);
  }));

const phone = (n: number, locale: string, version: string, deviceType = 'UCPhone'): DeviceRequest => ({
  deviceType,
  mac: `0004F2000${String(n).padStart(3, '0')}`,
  macRaw: `0004F2000${String(n).padStart(3, '0')}`,
  serial: '',
  vendor: 'Polycom',
  model: 'CX700',
  revision: 'A',
  locale,
  userName: '',
  requestTime: '',
  modules: [{ fileName: 'cpe.nbt', version, timestamp: '01-01-1601 00:00:00' }],
});
const NOTHING: Decision = { offers: [], reason: 'up-to-date', langList: ['ENU'], trace: [] };

test('the overview: each interim image with its files and the phones it serves; locales that need one and lack it', () =>
  withFolders(async (dir, store) => {
    await imp(store, await writeFiles(join(dir, 'OCInterim'), image('ENU')));
    const rec = new InventoryRecorder(store.engine);
    const now = new Date('2026-01-01T08:00:00.000Z');
    const fleet: [string, string, string?][] = [
      ['ENU', '0.0.0.0'], // never updated
      ['enu', '1.0.522.98'], // at the threshold: served (inclusive by default)
      ['ENU', '1.0.522.73'],
      ['ENU', '1.0.522.103'], // past it
      ['ENU', '3.5.6907.0'],
      ['ENU', '1.0.452.0', 'RoundTable'], // not a UCPhone
      ['DEU', '1.0.522.34'],
      ['DEU', '1.0.522.98'],
      ['FRA', '4.0.7577.4366'],
    ];
    fleet.forEach(([locale, version, type], i) => rec.check(now, `10.0.0.${i + 1}`, phone(i, locale, version, type), NOTHING));
    await rec.flush();
    await rec.close();

    const o = await interimOverview(store);
    assert.equal(o.version, '1.0.522.103');
    assert.deepEqual({ threshold: o.threshold, inclusive: o.inclusive }, { threshold: '1.0.522.98', inclusive: true });
    assert.equal(o.images.length, 1);
    assert.equal(o.images[0]!.locale, 'ENU');
    assert.equal(o.images[0]!.phones, 3);
    assert.deepEqual(o.images[0]!.files.map((f) => f.fileName), ['CPE.cat', 'CPE.nbt']);
    assert.ok(o.images[0]!.files.every((f) => f.size > 0));
    assert.deepEqual(o.missing, [{ locale: 'DEU', phones: 2 }]);

    await store.settings.write({ interimInclusive: false });
    const strict = await interimOverview(store);
    assert.equal(strict.images[0]!.phones, 2, 'strictly below: the phone at 1.0.522.98 is not served');
    assert.deepEqual(strict.missing, [{ locale: 'DEU', phones: 1 }]);
  }));
