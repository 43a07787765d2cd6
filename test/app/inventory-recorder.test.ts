// The inventory recorder on a real store: batches coalesce, downloads are attributed by address and folder,
// the buffer is bounded, a busy store delays the write instead of blocking, and close() flushes.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { judgeInventory, judgeInventoryNow } from '../../src/server/app/inventory-judge.js';
import { InventoryRecorder } from '../../src/server/app/inventory-recorder.js';
import type { Store } from '../../src/server/app/store.js';
import { StoreBusy } from '../../src/server/app/store-contract.js';
import type { SqliteEngine } from '../../src/server/infra/db/engine.js';
import type { DeviceRequest } from '../../src/server/domain/device.js';
import type { Decision } from '../../src/server/domain/update-decision.js';
import type { Version } from '../../src/shared/version.js';
import { freshStore, tempDir } from '../helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let store: Store;
const recorders: InventoryRecorder[] = [];
const recorder = (opts: ConstructorParameters<typeof InventoryRecorder>[1] = {}) => {
  const r = new InventoryRecorder(store.engine, opts);
  recorders.push(r);
  return r;
};

beforeEach(async () => {
  tmp = await tempDir();
  store = freshStore(tmp.dir);
});
afterEach(async () => {
  for (const r of recorders.splice(0)) await r.close();
  await store.close();
  await tmp.remove();
});

const FOLDER = 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4455/CPE';
const FILE = `${FOLDER}/CPE.nbt`;
const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 8, m));
const phone = (n: number, version = '4.0.7577.4420', over: Partial<DeviceRequest> = {}): DeviceRequest => ({
  deviceType: 'UCPhone',
  mac: `0004F200000${n}`,
  macRaw: `0004F200000${n}`,
  serial: `C185H${n}`,
  vendor: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  userName: `user${n}@contoso.com`,
  requestTime: '',
  modules: [{ fileName: 'cpe.nbt', version, timestamp: '01-01-1601 00:00:00' }],
  ...over,
});
const offer = (installed = '4.0.7577.4420'): Decision => ({
  offers: [{ source: 'rule', ruleId: 1, updateType: 'CPE', installed: installed as Version, version: '4.0.7577.4455' as Version, files: [], folder: FOLDER }],
  reason: null,
  langList: ['ENU'],
  trace: [],
});
const NOTHING: Decision = { offers: [], reason: 'up-to-date', langList: ['ENU'], trace: [] };
const find = async (identity: string) => (await store.devices.findAll([identity])).get(identity);
const row = (n: number) => find(`mac:0004F200000${n}`);
const sql = () => (store.engine as SqliteEngine).db;
const phase = (n: number) => sql().prepare('SELECT phase FROM devices WHERE identity = ?').pluck().get(`mac:0004F200000${n}`);

test('offered, downloaded and updated within one batch: one row, written once, in the right state', async () => {
  const r = recorder();
  r.check(at(0), '10.0.0.1', phone(1), offer());
  r.download(at(1), '10.0.0.1', FILE, 200);
  r.check(at(2), '10.0.0.1', phone(1, '4.0.7577.4455'), NOTHING);
  await r.flush();
  const d = (await row(1))!;
  assert.equal(phase(1), 'updated');
  assert.equal(d.offeredAt, at(0).toISOString());
  assert.equal(d.downloadedAt, at(1).toISOString());
  assert.equal(d.updatedAt, at(2).toISOString());
  assert.equal(d.firstSeen, at(0).toISOString());
  assert.equal(d.lastSeen, at(2).toISOString());
});

test('a large flush is written in slices with the event loop free in between, in arrival order', async () => {
  const r = recorder();
  const mac = (n: number) => `0004F2${n.toString(16).toUpperCase().padStart(6, '0')}`;
  for (let n = 0; n < 1000; n++) r.check(at(0), '10.0.0.1', phone(0, undefined, { mac: mac(n), macRaw: mac(n) }), NOTHING);
  r.check(at(1), '10.0.0.1', phone(0, undefined, { mac: mac(0), macRaw: mac(0), userName: 'later@contoso.com' }), NOTHING);
  const count = () => sql().prepare('SELECT count(*) FROM devices').pluck().get() as number;
  let seenMidway: number | undefined;
  setImmediate(() => (seenMidway = count()));
  await r.flush();
  assert.ok(seenMidway !== undefined && seenMidway > 0 && seenMidway < 1000, `a request between slices sees part of the flush written (saw ${seenMidway})`);
  assert.equal(count(), 1000);
  assert.equal((await find(`mac:${mac(0)}`))!.userName, 'later@contoso.com', 'the later check of a phone wins, in a later slice too');
});

test('observations across batches build on the stored row', async () => {
  const r = recorder();
  r.check(at(0), '10.0.0.1', phone(1), offer());
  await r.flush();
  assert.equal(phase(1), 'offered');
  r.download(at(1), '10.0.0.1', FILE, 206);
  await r.flush();
  assert.equal(phase(1), 'downloaded');
  r.check(at(2), '10.0.0.1', phone(1), offer());
  await r.flush();
  assert.equal(phase(1), 'downloaded', 'asking again before installing keeps the download');
  assert.equal((await row(1))!.lastSeen, at(2).toISOString());
});

const shared = () => sql().prepare('SELECT address, folder, downloads, last_at AS lastAt FROM shared_downloads').all();

test('downloads: only a served image from the offered address and folder counts; the only phone offered it there gets it', async () => {
  const r = recorder();
  r.check(at(0), '10.0.0.9', phone(1), offer());
  r.check(at(1), '10.0.0.7', phone(3), offer());
  await r.flush();
  r.download(at(2), '10.0.0.9', `${FOLDER}/CPE.cat`, 200); // the catalog, not the image
  r.download(at(2), '10.0.0.9', FILE, 304);
  r.download(at(2), '10.0.0.8', FILE, 200); // nobody at this address was offered it
  r.download(at(2), '10.0.0.9', `${FOLDER.replace('4455', '4460')}/CPE.nbt`, 200); // not the offered folder
  await r.flush();
  assert.deepEqual([phase(1), phase(3)], ['offered', 'offered']);
  r.download(at(3), '10.0.0.9', FILE.toLowerCase(), 200);
  await r.flush();
  assert.deepEqual([phase(1), phase(3)], ['downloaded', 'offered']);
  assert.deepEqual(shared(), []);
});

test('behind one address several phones offered the image: a download is attributed to none, counted for them all; alone again, one is', async () => {
  const r = recorder();
  r.check(at(0), '10.0.0.9', phone(1), offer());
  await r.flush();
  for (const n of [2, 3]) r.check(at(n), '10.0.0.9', phone(n), offer());
  for (const m of [5, 6]) r.download(at(m), '10.0.0.9', FILE, 200);
  await r.flush();
  assert.deepEqual([1, 2, 3].map(phase), ['offered', 'offered', 'offered'], 'which phone downloaded is not known');
  assert.deepEqual(shared(), [{ address: '10.0.0.9', folder: FOLDER.toLowerCase(), downloads: 2, lastAt: at(6).toISOString() }]);
  // The next checks tell: two report the new version (updated); the last one offered there is alone, and is credited.
  for (const n of [1, 2]) r.check(at(10), '10.0.0.9', phone(n, '4.0.7577.4455'), NOTHING);
  r.download(at(11), '10.0.0.9', FILE, 200);
  await r.flush();
  assert.deepEqual([1, 2, 3].map(phase), ['updated', 'updated', 'downloaded']);
  assert.equal((await row(3))!.downloadedAt, at(11).toISOString());
});

test('a check answered on rules older than those the inventory was judged on is judged again in its flush', async () => {
  await judgeInventoryNow(store); // no rules: nothing is due to anyone
  const judged = (await store.devices.judgedInputs())!;
  const r = recorder({ rejudge: (tx, identities) => judgeInventory(tx, identities) });
  r.check(at(0), '10.0.0.9', phone(1), offer(), judged);
  r.check(at(0), '10.0.0.9', phone(2), offer(), 'rules another process has changed since');
  await r.flush();
  assert.deepEqual([phase(1), phase(2)], ['offered', 'current'], 'the second was told an offer the rules no longer make');
  assert.deepEqual([(await row(1))!.dueVersion, (await row(2))!.dueVersion], ['4.0.7577.4455', null]);
});

test('a phone with neither MAC nor serial is not recorded; one with a serial only is, by its serial', async () => {
  const r = recorder();
  r.check(at(0), '10.0.0.1', phone(1, undefined, { mac: '', macRaw: '', serial: '' }), NOTHING);
  r.check(at(0), '10.0.0.1', phone(2, undefined, { mac: '', macRaw: 'garbage', serial: 'sn-2' }), NOTHING);
  await r.flush();
  assert.equal(sql().prepare('SELECT count(*) FROM devices').pluck().get(), 1);
  assert.equal((await find('serial:SN-2'))!.serial, 'sn-2');
});

test('the buffer is bounded: beyond it observations are dropped and counted, never thrown', async () => {
  const r = recorder({ maxBuffered: 2 });
  for (let n = 1; n <= 4; n++) r.check(at(n), '10.0.0.1', phone(n), NOTHING);
  assert.equal(r.droppedObservations, 2);
  await r.flush();
  assert.equal(sql().prepare('SELECT count(*) FROM devices').pluck().get(), 2);
});

test('a store busy with another process\'s write: the flush gives up at once and the batch is written later', async () => {
  const errors: Error[] = [];
  const r = recorder({ onError: (e) => errors.push(e) });
  const cli = new Database(store.paths.dbFile);
  try {
    cli.exec('BEGIN IMMEDIATE');
    r.check(at(0), '10.0.0.1', phone(1), NOTHING);
    await r.flush();
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof StoreBusy, String(errors[0]));
    assert.equal(errors[0].message, 'Another process is writing to the store.');
    cli.exec('COMMIT');
  } finally {
    cli.close();
  }
  r.check(at(1), '10.0.0.1', phone(2), NOTHING);
  await r.flush();
  assert.ok((await row(1)) && (await row(2)), 'both written once the store is free');
  assert.equal(r.droppedObservations, 0);
});

test('close() writes what is buffered; later observations are dropped', async () => {
  const r = recorder();
  r.check(at(0), '10.0.0.1', phone(1), NOTHING);
  await r.close();
  assert.ok(await row(1));
  r.check(at(1), '10.0.0.1', phone(2), NOTHING);
  assert.equal(r.droppedObservations, 1);
});

test('at its cap, a batch evicts phones seen once two days ago (not one checking in now) and drops the new phones that do not fit', async () => {
  const full: number[] = [];
  const r = recorder({ maxDevices: () => 4, onFull: (max) => full.push(max) });
  const day = (d: number, hour = 8) => new Date(Date.UTC(2026, 0, d, hour));
  r.check(day(1), '10.0.0.1', phone(1), NOTHING);
  r.check(day(1), '10.0.0.2', phone(2), NOTHING);
  await r.flush();
  r.check(day(2), '10.0.0.1', phone(1), NOTHING); // phone 1 comes back; phone 2 is never seen again
  r.check(day(2, 7), '10.0.0.3', phone(3), NOTHING);
  r.check(day(2), '10.0.0.4', phone(4), NOTHING);
  r.check(day(2), '10.0.0.5', phone(5), offer()); // no room, and nothing two days old
  r.download(day(2), '10.0.0.5', FILE, 200);
  await r.flush();
  assert.deepEqual(await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await row(n)) !== undefined)), [true, true, true, true, false]);
  assert.deepEqual(await store.devices.overflow(), { since: day(2).toISOString(), evicted: 0, refused: 1 }, 'since: the batch of the first refusal');
  assert.deepEqual(full, [4]);

  // 5 January: phones 2 and 4 (seen once, on the 1st and the 2nd) make room for 6 and 7. Phone 3, seen once before
  // phone 4, would go first, but it checks in again in the same batch.
  r.check(day(5), '10.0.0.3', phone(3), NOTHING);
  r.check(day(5), '10.0.0.6', phone(6), NOTHING);
  r.check(day(5), '10.0.0.7', phone(7), NOTHING);
  await r.flush();
  assert.deepEqual(await Promise.all([1, 2, 3, 4, 6, 7].map(async (n) => (await row(n)) !== undefined)), [true, false, true, false, true, true]);
  assert.deepEqual(await store.devices.overflow(), { since: day(2).toISOString(), evicted: 2, refused: 1 });
  assert.equal((await store.devices.seenDays('2026-01-01')).get('2026-01-02'), 3, 'the phone not recorded is not counted as seen');
  assert.deepEqual(full, [4], 'told once while it stays full');
});
