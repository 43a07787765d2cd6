// The store contract through the repositories and the engine directly, where no use case shows it whole: order,
// case-insensitive keys, ids and return values; a rolled-back transaction; the write lock held by another connection
// (another process, another pool node); the image blobs.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryRecorder } from '../../src/server/app/inventory-recorder.js';
import { StoreBusy, type Repos, type StoreFile } from '../../src/server/app/store-contract.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { applyCheck } from '../../src/server/domain/device-state.js';
import type { DeviceRequest, RuleKey } from '../../src/server/domain/device.js';
import type { Version } from '../../src/shared/version.js';
import { fixtureBytes } from '../fixtures/cabs.js';
import type { SqliteEngine } from '../../src/server/infra/db/engine.js';
import { acrossEngines, forEachEngine, normalise, NOW } from './engines.js';

const T = NOW.toISOString();
const v = (s: string) => s as Version;
const key = (over: Partial<RuleKey> = {}): RuleKey => ({ deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU', updateType: 'CPE', ...over });
const request: DeviceRequest = {
  deviceType: 'UCPhone', mac: '0004F2000001', macRaw: '0004F2000001', serial: 'C185H1', vendor: 'Polycom', model: 'CX600', revision: 'A',
  locale: 'ENU', userName: 'user1', requestTime: '', modules: [{ fileName: 'CPE.nbt', version: v('4.0.7577.4300'), timestamp: '01-01-2012 00:00:00' }],
};
/** allStoreFiles() promises no order (the catalog maps them by path). */
const byPath = (files: StoreFile[]) => files.sort((x, y) => (x.pathKey < y.pathKey ? -1 : 1));
const NOTHING = { offers: [], reason: 'up-to-date' as const, langList: ['ENU'], trace: [] };

acrossEngines('rules and packages: ids, byte order, keys whatever their case, return values, removal impact and hand-over, interim images', async (store) => {
  const r = store as Repos;
  const out: Record<string, unknown> = {};
  const id = await r.rules.ensure(key(), T);
  assert.equal(await r.rules.ensure(key({ model: 'cx600', locale: 'enu', vendor: 'POLYCOM' }), T), id, 'one rule per key, whatever its case');
  const others = [await r.rules.ensure(key({ model: 'CX3000' }), T), await r.rules.ensure(key({ vendor: 'aastra' }), T), await r.rules.ensure(key({ locale: 'DEU' }), T)];
  assert.ok(others.every((o) => o > id) && new Set(others).size === 3);
  out.findByKey = [await r.rules.findByKey(key({ model: 'Cx600' })), await r.rules.findByKey(key({ model: 'CX700' }))];
  out.missing = await r.rules.get(999);

  const pkg = (n: string, kind: 'cab' | 'interim' = 'cab') =>
    r.packages.insert({ sha256: n.repeat(64), fileName: `${n}.cab`, packageVersion: n === 'c' ? null : '1.0', size: 100, kind, importedAt: T, importedBy: 'alice' });
  const [a, b, c] = [await pkg('a'), await pkg('b'), await pkg('c', 'interim')];
  assert.ok(a < b && b < c);
  const image = (version: string) => `UCPhone/Polycom/CX600/A/ENU/${version}/CPE`;
  const file = (rel: string, sha: string, size: number, packageId: number) =>
    r.packages.addStoreFile({ pathKey: rel.toLowerCase(), relPath: rel, sha256: sha.repeat(64), size, timestamp: '10-05-2012 14:22:36', packageId });
  await file(`${image('1.0')}/CPE.nbt`, '1', 10, a);
  await file(`${image('1.0')}/CPE.cat`, '2', 20, a);
  await file(`${image('1.1')}/CPE.nbt`, '3', 30, a);
  await file(`${image('1.1')}/CPE.cat`, '2', 20, a); // the same bytes as 1.0's catalog
  await file(`${image('1.0')}/CPE.nbt`, '1', 10, b); // b holds image 1.0 too
  await file(`${image('1.0')}/CPE.cat`, '2', 20, b);
  await file(`${image('2.0')}/CPE.nbt`, '4', 40, b);
  await file('OCInterim/ENU/CPE.nbt', '5', 50, c);
  await file('OCInterim/ENU/CPE.cat', '6', 60, c);
  out.addImage = [];
  for (const [ver, p] of [['1.0', a], ['1.1', a], ['1.0', b], ['2.0', b], ['10.0', b]] as const) (out.addImage as boolean[]).push(await r.rules.addImage(id, v(ver), p));
  await r.rules.setVersions(id, { approved: v('2.0'), pending: v('10.0'), restore: v('1.1') }, '2026-01-06T00:00:00.000Z');
  await r.packages.setInterim('enu', v('1.0.522.103'), c);
  out.rules = await r.rules.list();
  out.rule = await r.rules.get(id);
  out.packages = await r.packages.list();
  out.bySha = [await r.packages.findBySha('b'.repeat(64)), await r.packages.findBySha('f'.repeat(64))];
  out.storeFile = [await r.packages.getStoreFile(`${image('1.0')}/cpe.cat`.toLowerCase()), await r.packages.getStoreFile('none')];
  out.allStoreFiles = byPath(await r.packages.allStoreFiles());
  out.referenced = await r.packages.referencedBlobs();
  out.imagesOf = [await r.rules.imagesOfPackage(a), await r.rules.imagesOfPackage(b), await r.rules.imagesOfPackage(c)];
  out.interim = [await r.packages.listInterim(), await r.packages.interimFiles()];
  out.impact = { a: await r.packages.removalImpact([a]), b: await r.packages.removalImpact([b]), ab: await r.packages.removalImpact([a, b]), none: await r.packages.removalImpact([]) };
  await r.packages.remove([a]);
  out.afterRemove = { rule: await r.rules.get(id), packages: await r.packages.list(), files: byPath(await r.packages.allStoreFiles()), imagesOfB: await r.rules.imagesOfPackage(b), referenced: await r.packages.referencedBlobs() };
  return normalise(out);
});

forEachEngine('a transaction that throws leaves nothing, the inventory included, and its error reaches the caller', async (store) => {
  const phone = applyCheck(undefined, 'mac:0004F2000001', { at: T, address: '10.0.0.1', request, version: '4.0.7577.4300', offer: null, blocker: null });
  await assert.rejects(
    store.engine.transaction(async (tx) => {
      await tx.settings.write({ httpPort: 8123 });
      await tx.testDevices.add({ name: 'Lab', mac: '0004F2000001', serial: null }, T);
      await tx.history.add({ at: T, actor: 'alice', action: 'note', target: 'x', details: {} });
      await tx.rules.ensure(key(), T);
      await tx.admins.upsert({ username: 'alice', passwordHash: 'h', role: 'admin', createdAt: T });
      await tx.devices.write([{ before: undefined, after: phone }], new Map([['2026-01-05', 1]]));
      assert.equal(await tx.devices.count(), 1, 'the transaction sees its own writes');
      throw new Error('boom');
    }, { wait: true }),
    /^Error: boom$/,
  );
  assert.notEqual((await store.settings.read()).httpPort, 8123);
  assert.deepEqual([await store.testDevices.list(), await store.history.list(5), await store.rules.list(), await store.admins.list()], [[], [], [], []]);
  assert.equal(await store.devices.count(), 0);
  assert.equal((await store.devices.findAll(['mac:0004F2000001'])).size, 0);
  assert.deepEqual(await store.devices.seenDays('2026-01-01'), new Map());
  // The next transaction commits as usual.
  await store.engine.transaction((tx) => tx.devices.write([{ before: undefined, after: phone }]), { wait: true });
  assert.equal(await store.devices.count(), 1);
});

forEachEngine('a transaction that need not be durable commits without waiting for the disk, and only it; one that throws still leaves nothing', async (store, engine) => {
  const phone = applyCheck(undefined, 'mac:0004F2000001', { at: T, address: '10.0.0.1', request, version: '4.0.7577.4300', offer: null, blocker: null });
  // SQLite: synchronous NORMAL in WAL mode skips the commit's fsync (PostgreSQL: synchronous_commit off, its own session).
  const synchronous = () => (engine.name === 'sqlite' ? (store.engine as SqliteEngine).db.pragma('synchronous', { simple: true }) : 'n/a');
  const during: unknown[] = [];
  await store.engine.transaction(async (tx) => {
    during.push(synchronous());
    await tx.devices.write([{ before: undefined, after: phone }]);
  }, { durable: false });
  await assert.rejects(store.engine.transaction(async () => {
    during.push(synchronous());
    throw new Error('boom');
  }, { durable: false }), /boom/);
  await store.engine.transaction(async () => void during.push(synchronous()), { wait: true });
  if (engine.name === 'sqlite') assert.deepEqual(during, [1, 1, 2], 'NORMAL inside, FULL again for every other transaction');
  assert.equal(await store.devices.count(), 1);
});

forEachEngine('another connection holds the write lock: StoreBusy at once without wait, the recorder keeps its observations until it is free', async (store, engine) => {
  const other = await engine.twin(store);
  let release!: () => void;
  let held!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const holding = new Promise<void>((r) => (held = r));
  const holder = other.engine.transaction(async (tx) => {
    await tx.settings.write({ httpPort: 8081 });
    held();
    await gate;
    return 'held';
  }, { wait: true });
  await holding;

  await assert.rejects(store.engine.transaction(async (tx) => tx.settings.write({ httpPort: 8082 })), (e) => e instanceof StoreBusy && e.code === 'STORE_BUSY' && e.message.length > 0);
  const r = new InventoryRecorder(store.engine);
  r.check(NOW, '10.0.0.1', request, NOTHING);
  await r.flush();
  assert.equal(r.buffered, 1, 'kept for the next flush');
  // (A waiting writer is not tried here: SQLite's busy wait blocks this process, in which the holder must go on.)
  release();
  assert.equal(await holder, 'held');
  assert.equal((await store.settings.read()).httpPort, 8081);
  await store.engine.transaction((tx) => tx.settings.write({ httpPort: 8083 }));
  assert.equal((await store.settings.read()).httpPort, 8083, 'the lock is free once the holder committed');
  await r.close();
  assert.deepEqual([r.buffered, r.droppedObservations, await store.devices.count()], [0, 0, 1]);

  // The other connection's change, committed through Store.write, is an external change here. A pool node listens
  // once its listening connection is up: changes are made until one is heard.
  let heard = false;
  const stop = store.engine.onExternalChange(() => (heard = true));
  let port = 8084;
  for (; !heard; port++) {
    await updateSettings(other, { httpPort: port }, 'bob');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  assert.equal((await store.settings.read()).httpPort, port - 1);
});

forEachEngine('blobs: put moves a file in by its SHA-256 (the same content again is dropped), local is pathOf, another connection reads it, unreferenced ones are collected', async (store, engine) => {
  const bytes = fixtureBytes('blob', 300_000);
  const src = (name: string) => join(store.paths.stagingDir, name);
  await writeFile(src('one'), bytes);
  await writeFile(src('two'), bytes);
  await writeFile(src('other'), fixtureBytes('other', 1000));
  const one = await store.blobs.put(src('one'));
  assert.equal(one.size, bytes.length);
  assert.match(one.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(await store.blobs.put(src('two')), one);
  assert.ok(!existsSync(src('one')) && !existsSync(src('two')), 'moved in, or dropped as a copy');
  const other = await store.blobs.put(src('other'));
  assert.equal(await store.blobs.local(one.sha256), store.blobs.pathOf(one.sha256));
  assert.deepEqual(await readFile(store.blobs.pathOf(one.sha256)), bytes);

  const twin = await engine.twin(store);
  assert.deepEqual(await readFile(await twin.blobs.local(one.sha256)), bytes, 'another node fetches it into its cache');
  assert.equal(await store.blobs.collectGarbage(new Set(), 3600_000), 0, 'young blobs may belong to an import under way');
  assert.equal(await store.blobs.collectGarbage(new Set([one.sha256]), 0), 1);
  assert.ok(existsSync(store.blobs.pathOf(one.sha256)));
  assert.ok(!existsSync(store.blobs.pathOf(other.sha256)));
  assert.deepEqual(await readFile(await twin.blobs.local(one.sha256)), bytes);
});
