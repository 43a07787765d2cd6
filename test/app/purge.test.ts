// Purge on a real store: packages built by gcab, imported, approved, rejected; then purged with the blobs they held.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/server/app/app-error.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { applyPurge, previewPurge } from '../../src/server/app/purge.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import type { Store } from '../../src/server/app/store.js';
import { buildCab, image, multiDevicePackage, olderPackage, updateInfoXml } from '../fixtures/cabs.js';
import { tempDir, withFreshStore } from '../helpers.js';

const CX600 = 'UCPhone/Polycom/CX600/A/ENU/CPE';
const OLDER_IMAGE = 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4363/CPE';
let fx: { dir: string; remove: () => Promise<void> };
const cabs: Record<string, string> = {};

before(async () => {
  fx = await tempDir();
  const d = (n: string) => join(fx.dir, n);
  cabs.multi = await multiDevicePackage(d('multi'));
  cabs.older = await olderPackage(d('older'));
  // The older CX600 image again (same files), with a CX700 RUS image: shares its files with the older package.
  cabs.bundle = await buildCab(d('bundle'), 'bundle.cab', [
    updateInfoXml('4.0.7577.4363'),
    ...image(OLDER_IMAGE),
    ...image('UCPhone/Polycom/CX700/A/RUS/3.5.6907.0/CPE'),
  ]);
});
after(() => fx.remove());

const withStore = withFreshStore;

const imp = (store: Store, file: string) => importPackage(store, file, { fileName: file.split('/').pop()!, actor: 'test', kind: 'package' });
const ruleId = async (store: Store, path: string) => (await store.rules.list()).find((r) => `${r.deviceType}/${r.vendor}/${r.model}/${r.revision}/${r.locale}/${r.updateType}` === path)!.id;
const olderFiles = async (store: Store) => (await store.packages.allStoreFiles()).filter((f) => f.relPath.startsWith(OLDER_IMAGE));
/** Blobs of purged packages older than an hour are deleted at once (younger ones may be an import's in flight). */
const age = async (store: Store, shas: string[]) => {
  const old = new Date(Date.now() - 2 * 3600_000);
  for (const sha of shas) await utimes(store.blobs.pathOf(sha), old, old);
};

/** multi approved everywhere; the older CX600 build imported, then rejected. */
async function rejectedOlder(store: Store) {
  await imp(store, cabs.multi!);
  await applyRuleAction(store, 'approve', (await store.rules.list()).map((r) => r.id), 'test');
  await imp(store, cabs.older!);
  await applyRuleAction(store, 'reject', [await ruleId(store, CX600)], 'test');
}

test('purge removes a package no rule uses, its files and blobs, and records who did it', () =>
  withStore(async (store) => {
    await rejectedOlder(store);
    const [multi, older] = [...(await store.packages.list())].reverse();
    const preview = await previewPurge(store);
    assert.deepEqual(preview.purge, [{ id: older!.id, fileName: 'UCUpdates-older.cab', importedAt: older!.importedAt, reason: 'No rule uses 4.0.7577.4363 any more.' }]);
    assert.deepEqual(preview.keep.map((k) => [k.id, k.reason]), [[multi!.id, 'UCPhone/Polycom/CX700/A/ENU/CPE 3.5.6907.0 is approved.']]);
    const files = await olderFiles(store);
    assert.equal(files.length, 2);
    assert.equal(preview.files, 2);
    assert.equal(preview.bytes, files.reduce((n, f) => n + f.size, 0));
    await age(store, files.map((f) => f.sha256));

    const result = await applyPurge(store, [older!.id], 'alice');
    assert.deepEqual(result, { packages: preview.purge, files: 2, bytes: preview.bytes });
    assert.deepEqual((await store.packages.list()).map((p) => p.id), [multi!.id]);
    assert.deepEqual(await olderFiles(store), []);
    assert.deepEqual((await store.rules.get(await ruleId(store, CX600)))!.versions, ['4.0.7577.4366']);
    for (const f of files) assert.equal(existsSync(store.blobs.pathOf(f.sha256)), false, 'the blob is deleted');
    const [h] = await store.history.list(1);
    assert.deepEqual([h!.actor, h!.action, h!.target], ['alice', 'purge', 'UCUpdates-older.cab']);
    assert.deepEqual(h!.details, { packages: [older!.id], files: 2, bytes: preview.bytes });
    assert.deepEqual(await previewPurge(store), { purge: [], keep: preview.keep, files: 0, bytes: 0 });

    // Uploading it again is a fresh import: the version is pending again.
    const again = await imp(store, cabs.older!);
    assert.equal(again.alreadyImported, false);
    assert.equal((await store.rules.get(await ruleId(store, CX600)))!.pending, '4.0.7577.4363');
  }));

test('files a purged package shared with a kept one stay servable and are handed over to it', () =>
  withStore(async (store) => {
    await rejectedOlder(store);
    await imp(store, cabs.bundle!);
    await applyRuleAction(store, 'approve', [await ruleId(store, 'UCPhone/Polycom/CX700/A/RUS/CPE')], 'test');
    await applyRuleAction(store, 'reject', [await ruleId(store, CX600)], 'test'); // the bundle made 4.0.7577.4363 pending again
    const older = (await store.packages.list()).find((p) => p.fileName === 'UCUpdates-older.cab')!;
    const bundle = (await store.packages.list()).find((p) => p.fileName === 'bundle.cab')!;
    const preview = await previewPurge(store);
    assert.deepEqual(preview.purge.map((p) => p.id), [older.id]);
    assert.equal(preview.keep.find((k) => k.id === bundle.id)!.reason, 'UCPhone/Polycom/CX700/A/RUS/CPE 3.5.6907.0 is approved.');
    assert.deepEqual([preview.files, preview.bytes], [0, 0], 'nothing is freed: the bundle holds the same files');
    const files = await olderFiles(store);
    await age(store, files.map((f) => f.sha256));

    await applyPurge(store, [older.id], 'test');
    assert.deepEqual((await olderFiles(store)).map((f) => [f.relPath, f.sha256, f.packageId]), files.map((f) => [f.relPath, f.sha256, bundle.id]));
    for (const f of files) assert.ok(existsSync(store.blobs.pathOf(f.sha256)));
    assert.deepEqual((await store.rules.get(await ruleId(store, CX600)))!.versions, ['4.0.7577.4366', '4.0.7577.4363']);
    assert.deepEqual((await store.rules.imagesOfPackage(bundle.id)).length, 2);
  }));

test('purge is all or nothing: a package still in use, or unknown, refuses the whole request', () =>
  withStore(async (store) => {
    await rejectedOlder(store);
    const [multi, older] = [...(await store.packages.list())].reverse();
    const before = { packages: await store.packages.list(), files: await store.packages.allStoreFiles(), history: await store.history.list(100) };
    await assert.rejects(applyPurge(store, [older!.id, multi!.id], 'test'), (e: AppError) => {
      assert.equal(e.code, 'conflict');
      assert.match(e.message, /^Nothing was purged\. UCUpdates\.cab \(package \d+\) is still in use: UCPhone\/\S+ [0-9.]+ is approved\.$/);
      return true;
    });
    await assert.rejects(applyPurge(store, [older!.id, 999], 'test'), (e: AppError) => e.code === 'not_found' && /There is no package 999\./.test(e.message));
    assert.deepEqual({ packages: await store.packages.list(), files: await store.packages.allStoreFiles(), history: await store.history.list(100) }, before);
  }));

test('blobs of a package imported within the hour are left for a later purge or start', () =>
  withStore(async (store) => {
    await rejectedOlder(store);
    const older = (await store.packages.list()).find((p) => p.fileName === 'UCUpdates-older.cab')!;
    const files = await olderFiles(store);
    await applyPurge(store, [older.id], 'test');
    assert.deepEqual(await olderFiles(store), []);
    for (const f of files) assert.ok(existsSync(store.blobs.pathOf(f.sha256)), 'kept: an import in another process may be about to use it');
  }));
