import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/server/app/app-error.js';
import { recoverAfterCrash } from '../../src/server/app/crash-recovery.js';
import { importPackage, type ImportKind } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import type { Store } from '../../src/server/app/store.js';
import { extractArchive } from '../../src/server/infra/seven-zip.js';
import {
  buildCab,
  corruptCab,
  fileContent,
  image,
  interimPackage,
  MULTI_IMAGES,
  missingCatalogPackage,
  multiDeviceFiles,
  multiDevicePackage,
  newerPackage,
  olderPackage,
  selfExtracting,
  threePartVersionPackage,
  traversalCab,
  truncatedCab,
} from '../fixtures/cabs.js';
import { freshStore, silentLog, tempDir, withFreshStore } from '../helpers.js';

let fx: { dir: string; remove: () => Promise<void> };
const cabs: Record<string, string> = {};

before(async () => {
  fx = await tempDir();
  const d = (n: string) => join(fx.dir, n);
  cabs.multi = await multiDevicePackage(d('multi'));
  cabs.newer = await newerPackage(d('newer'));
  cabs.older = await olderPackage(d('older'));
  cabs.interim = await interimPackage(d('interim'));
  cabs.exe = await selfExtracting(d('multi'), cabs.multi);
  cabs.exeFar = await selfExtracting(d('multi'), cabs.multi, { paddingBytes: 9 * 1024 * 1024, name: 'far.exe' });
  cabs.truncated = await truncatedCab(d('trunc'));
  cabs.corrupt = await corruptCab(d('corrupt'));
  cabs.traversal = await traversalCab(d('trav'));
  cabs.missingCat = await missingCatalogPackage(d('nocat'));
  cabs.threePart = await threePartVersionPackage(d('three'));
});
after(() => fx.remove());

const withStore = withFreshStore;

const imp = (store: Store, file: string, kind: ImportKind = 'package') =>
  importPackage(store, file, { fileName: file.split('/').pop()!, actor: 'test', kind });

/** Everything an import could have changed, to prove a failed one changed nothing. */
async function snapshot(store: Store) {
  const blobs: string[] = [];
  for (const p of await readdir(store.paths.blobDir)) blobs.push(...(await readdir(join(store.paths.blobDir, p))));
  return {
    packages: await store.packages.list(),
    rules: await store.rules.list(),
    files: await store.packages.allStoreFiles(),
    history: await store.history.list(1000),
    blobs: blobs.sort(),
    staging: await readdir(store.paths.stagingDir),
  };
}

test('imports a multi-device cab: files hashed into the store, rules pending, history written', () =>
  withStore(async (store) => {
    const phases: string[] = [];
    const s = await importPackage(store, cabs.multi!, { fileName: 'UCUpdates.cab', actor: 'alice', kind: 'package', onProgress: (p) => phases.push(p) });
    assert.equal(s.alreadyImported, false);
    assert.equal(s.packageVersion, '4.0.7577.4366');
    assert.deepEqual(s.images.map((i) => `${i.rule} ${i.version} ${i.outcome}`).sort(), [
      'UCPhone/LG-Nortel/IP8540/A/ENU/CPE 3.5.6907.0 pending',
      'UCPhone/Polycom/CX600/A/ENU/CPE 4.0.7577.4366 pending',
      'UCPhone/Polycom/CX700/A/DEU/CPE 3.5.6907.0 pending',
      'UCPhone/Polycom/CX700/A/ENU/CPE 3.5.6907.0 pending',
    ]);
    assert.deepEqual([...new Set(phases)], ['locating', 'extracting', 'storing', 'committing']);
    const files = await store.packages.allStoreFiles();
    assert.equal(files.length, MULTI_IMAGES.length * 2);
    for (const f of multiDeviceFiles().filter((x) => x.path.includes('/CPE/'))) {
      const stored = files.find((x) => x.relPath === f.path);
      assert.ok(stored, f.path);
      const want = createHash('sha256').update(fileContent(f)).digest('hex');
      assert.equal(stored.sha256, want);
      assert.deepEqual(await readFile(store.blobs.pathOf(want)), fileContent(f));
      assert.equal(stored.timestamp, '05-10-2012 14:22:36');
    }
    const [pkg] = await store.packages.list();
    assert.equal(pkg!.importedBy, 'alice');
    assert.equal(pkg!.kind, 'cab');
    assert.equal((await store.history.list(10))[0]!.action, 'import-package');
    assert.deepEqual(await readdir(store.paths.stagingDir), []);
  }));

test('re-importing the same package is harmless', () =>
  withStore(async (store) => {
    await imp(store, cabs.multi!);
    const before = await snapshot(store);
    const again = await imp(store, cabs.multi!);
    assert.equal(again.alreadyImported, true);
    assert.deepEqual(await snapshot(store), before);
  }));

test('re-importing after a rejection or a roll back makes that version pending again', () =>
  withStore(async (store) => {
    await imp(store, cabs.multi!);
    const cx600 = async () => (await store.rules.list()).find((r) => r.model === 'CX600')!;
    await applyRuleAction(store, 'approve', [(await cx600()).id], 'test');
    await imp(store, cabs.newer!);
    await applyRuleAction(store, 'reject', [(await cx600()).id], 'test');
    assert.equal((await cx600()).pending, null);
    const again = await imp(store, cabs.newer!);
    assert.equal(again.alreadyImported, true);
    assert.deepEqual(again.images.map((i) => `${i.version} ${i.outcome}`), ['4.0.7577.4387 pending']);
    assert.equal((await cx600()).pending, '4.0.7577.4387');
    assert.equal((await store.history.list(1))[0]!.action, 'reimport-package');

    await applyRuleAction(store, 'approve', [(await cx600()).id], 'test');
    await applyRuleAction(store, 'rollback', [(await cx600()).id], 'test');
    assert.deepEqual([(await cx600()).approved, (await cx600()).pending], ['4.0.7577.4366', null]);
    await imp(store, cabs.newer!);
    assert.equal((await cx600()).pending, '4.0.7577.4387');
    assert.equal((await store.packages.list()).length, 2, 'no package was added');
  }));

test('the self-extracting .exe imports the cab inside it, also beyond 8 MiB', () =>
  withStore(async (store) => {
    const s = await imp(store, cabs.exeFar!);
    assert.equal(s.images.length, 4);
    assert.equal((await store.packages.list())[0]!.kind, 'exe');
    // the same cab inside another .exe is another package file, but its files are already there: shared, not copied
    const s2 = await imp(store, cabs.exe!);
    assert.deepEqual(s2.images.map((i) => i.outcome), ['already-pending', 'already-pending', 'already-pending', 'already-pending']);
    assert.equal((await store.packages.allStoreFiles()).length, 8);
  }));

for (const [name, expected] of [
  ['truncated', /damaged|truncat|corrupt|error|unexpected end/i],
  ['corrupt', /damaged|corrupt|CRC|error|data/i],
  ['traversal', /outside|\.\./i],
  ['missingCat', /\.cat/i],
  ['threePart', /four-part|version/i],
] as const) {
  test(`a ${name} package is refused with a clear error and changes nothing`, () =>
    withStore(async (store) => {
      await imp(store, cabs.newer!);
      const before = await snapshot(store);
      await assert.rejects(imp(store, cabs[name]!), (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, 'invalid_package');
        assert.match(e.message, expected);
        return true;
      });
      assert.deepEqual(await snapshot(store), before);
    }));
}

test('a file that is neither a cab nor an .exe is refused', () =>
  withStore(async (store) => {
    const junk = join(fx.dir, 'junk.cab');
    await writeFile(junk, 'this is not a cabinet file at all');
    await assert.rejects(imp(store, junk), (e: AppError) => e.code === 'invalid_package' && /cabinet|\.cab/i.test(e.message));
    await assert.rejects(imp(store, join(fx.dir, 'nope.cab')), (e: AppError) => e.code === 'not_found');
  }));

test('new versions land as pending; an older one is kept behind a newer pending one, or warns', () =>
  withStore(async (store) => {
    await imp(store, cabs.multi!);
    const cx600 = async () => (await store.rules.list()).find((r) => r.model === 'CX600')!;
    await applyRuleAction(store, 'approve', [(await cx600()).id], 'test');
    const newer = await imp(store, cabs.newer!);
    assert.equal(newer.images[0]!.outcome, 'pending');
    assert.equal((await cx600()).pending, '4.0.7577.4387');
    const older = await imp(store, cabs.older!);
    assert.equal(older.images[0]!.outcome, 'kept');
    assert.equal((await cx600()).pending, '4.0.7577.4387');
    assert.deepEqual((await cx600()).versions, ['4.0.7577.4387', '4.0.7577.4366', '4.0.7577.4363']);
  }));

test('an older version with nothing pending lands as pending with a downgrade warning', () =>
  withStore(async (store) => {
    await imp(store, cabs.multi!);
    await applyRuleAction(store, 'approve', (await store.rules.list()).map((r) => r.id), 'test');
    const s = await imp(store, cabs.older!);
    assert.equal(s.images[0]!.outcome, 'pending');
    assert.match(s.warnings[0]!, /older than the approved 4\.0\.7577\.4366/);
  }));

test('the interim image is imported per locale; --interim refuses a package without one', () =>
  withStore(async (store) => {
    const s = await imp(store, cabs.interim!, 'interim');
    assert.deepEqual(s.interim, [{ locale: 'ENU', version: '1.0.522.103' }]);
    assert.deepEqual((await store.packages.listInterim()).map((i) => i.locale), ['ENU']);
    assert.ok(await store.packages.getStoreFile('ocinterim/enu/cpe.nbt'));
    await assert.rejects(imp(store, cabs.newer!, 'interim'), (e: AppError) => e.code === 'invalid_package' && /interim/.test(e.message));
  }));

test('a package whose file differs from the same path already stored is refused whole', () =>
  withStore(async (store) => {
    await imp(store, cabs.newer!);
    const before = await snapshot(store);
    const evil = await buildCab(join(fx.dir, 'evil'), 'evil.cab', [
      ...image('UCPhone/Polycom/CX700/A/ENU/3.5.6907.0/CPE'),
      { path: 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4387/CPE/CPE.nbt', content: 'not the real image' },
      { path: 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4387/CPE/CPE.cat', size: 1200 },
    ]);
    await assert.rejects(imp(store, evil), (e: AppError) => e.code === 'conflict' && /different content/.test(e.message));
    const afterSnap = await snapshot(store);
    assert.deepEqual({ ...afterSnap, blobs: [] }, { ...before, blobs: [] });
  }));

test('an existing DeviceUpdateFiles tree (with its Logs folder) is imported, and not moved', () =>
  withStore(async (store) => {
    const tree = join(fx.dir, 'DeviceUpdateFiles');
    await extractArchive(cabs.multi!, tree);
    await mkdir(join(tree, 'Logs', 'Server', 'Audit'), { recursive: true });
    await writeFile(join(tree, 'Logs', 'Server', 'Audit', 'x.log'), 'old log');
    const s = await imp(store, tree, 'tree');
    assert.equal(s.images.length, 4);
    assert.equal((await store.packages.list())[0]!.kind, 'tree');
    assert.ok(existsSync(join(tree, ...MULTI_IMAGES[0]!.split('/'), 'CPE.nbt')), 'the admin folder is left as it was');
    assert.equal((await imp(store, tree, 'tree')).alreadyImported, true);
  }));

test('a process killed in the middle of an import leaves the store as it was; the next start cleans up', async () => {
  const big = await buildCab(join(fx.dir, 'big'), 'big.cab', [
    ...image('UCPhone/Polycom/CX600/A/ENU/4.0.7577.4400/CPE', { nbtSize: 60 * 1024 * 1024 }),
    ...image('UCPhone/Polycom/CX500/A/ENU/4.0.7577.4400/CPE', { nbtSize: 60 * 1024 * 1024 }),
  ]);
  for (const killWhen of ['extracting', 'storing'] as const) {
    const t = await tempDir('ucu-crash-');
    try {
      const store = freshStore(t.dir);
      await imp(store, cabs.multi!);
      const before = await snapshot(store);
      await store.close();

      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--data', t.dir, 'import', big], { stdio: 'ignore' });
      const staging = join(t.dir, 'staging');
      const blobCount = async () => (await readdir(join(t.dir, 'files'))).length;
      const initialBlobDirs = await blobCount();
      const deadline = Date.now() + 60_000;
      let killed = false;
      while (Date.now() < deadline && child.exitCode === null) {
        const inFlight = (await readdir(staging)).length > 0;
        const reached = killWhen === 'extracting' ? inFlight : inFlight && (await blobCount()) > initialBlobDirs;
        if (reached) {
          child.kill('SIGKILL');
          killed = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => child.once('exit', r));
      assert.ok(killed, `the import finished before it could be killed while ${killWhen}`);

      const reopened = freshStore(t.dir);
      try {
        const leftovers = (await readdir(staging)).length;
        assert.ok(leftovers > 0, 'the killed import left its staging folder');
        await recoverAfterCrash(reopened, silentLog, 0);
        assert.deepEqual(await snapshot(reopened), before, `killed while ${killWhen}`);
        const s = await imp(reopened, big);
        assert.equal(s.images.length, 2, 'the same package imports fine afterwards');
      } finally {
        await reopened.close();
      }
    } finally {
      await t.remove();
    }
  }
});

test('leftover staging folders of a live process are not touched', () =>
  withStore(async (store) => {
    const mine = join(store.paths.stagingDir, `${process.pid}-keep`);
    await mkdir(mine);
    await cp(cabs.multi!, join(mine, 'x.cab'));
    await recoverAfterCrash(store, silentLog, 0);
    assert.ok(existsSync(mine));
  }));
