// The inventory's SQL on a real SQLite file: the state filters and counts agree with the domain's deviceState()
// for every kind of record, searches use prefixes in any case, writes set what changed, and a rule counts its phones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceState, phaseOf, phaseSince, stateCutoffs, type DeviceRecord } from '../../src/server/domain/device-state.js';
import { evictable, evictableBefore } from '../../src/server/domain/inventory-cap.js';
import type { Store } from '../../src/server/app/store.js';
import type { DeviceChange } from '../../src/server/app/store-contract.js';
import type { SqliteEngine } from '../../src/server/infra/db/engine.js';
import { DEVICE_STATES } from '../../src/shared/inventory-api.js';
import { freshStore, tempDir, withFreshStore } from '../helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let store: Store;
const H = 3_600_000;
const BASE = Date.UTC(2026, 2, 1);
const at = (h: number) => new Date(BASE + h * H).toISOString();
const NOW = new Date(BASE + 1000 * H);
const LIMITS = { stuckHours: 24, silentDays: 7 };

/** Phone n: seen, offered, downloaded and updated at times spread around the thresholds. */
function record(n: number): DeviceRecord {
  const mac = `0004F2${n.toString(16).toUpperCase().padStart(6, '0')}`;
  const seen = 1000 - ((n * 7) % 300); // up to 300 hours ago: some silent
  const kind = n % 5; // 0 current, 1 offered, 2 downloaded, 3 updated, 4 offered long ago; every 7th current or updated is behind
  const offered = kind === 0 ? null : '4.0.7577.4455';
  const folder = offered && 'ucphone/polycom/cx600/a/enu/4.0.7577.4455/cpe';
  const behind = (kind === 0 || kind === 3) && n % 7 === 0;
  const offeredAt = kind === 4 ? seen - 40 : seen - (n % 30);
  return {
    identity: `mac:${mac}`,
    mac,
    serial: `C185H${String(n).padStart(7, '0')}`,
    deviceType: 'UCPhone',
    vendor: 'Polycom',
    model: n % 2 ? 'CX600' : 'CX700',
    revision: 'A',
    locale: n % 3 ? 'ENU' : 'DEU',
    version: kind === 3 ? '4.0.7577.4455' : '4.0.7577.4420',
    userName: n % 4 ? `user${n}@contoso.com` : '',
    address: `10.0.0.${n % 250}`,
    firstSeen: at(0),
    lastSeen: at(seen),
    offeredVersion: offered,
    offeredFolder: folder,
    offeredAt: offered && at(offeredAt),
    downloadedAt: kind === 2 || kind === 3 ? at(offeredAt + (n % 40)) : null,
    updatedAt: kind === 3 ? at(seen) : null,
    modules: `cpe.nbt;${kind === 3 ? '4.0.7577.4455' : '4.0.7577.4420'}`,
    dueVersion: behind ? '4.0.7577.4500' : kind === 0 || kind === 3 ? null : offered,
    dueFolder: behind ? 'ucphone/polycom/cx600/a/enu/4.0.7577.4500/cpe' : kind === 0 || kind === 3 ? null : folder,
    // Every 11th current phone cannot get what its rule wants.
    dueBlocker: kind === 0 && !behind && n % 11 === 0 ? 'image-missing' : null,
  };
}
const FLEET = Array.from({ length: 600 }, (_, n) => record(n));
const cutoffs = stateCutoffs(NOW, LIMITS);
/** Writes these changes in one transaction of the store's engine, as the recorder's flush does. */
const write = (s: Store, changes: DeviceChange[]) => s.engine.transaction(async (tx) => tx.devices.write(changes), { wait: true });
const added = (rows: DeviceRecord[]) => rows.map((r) => ({ before: undefined, after: r }));
const sql = (s: Store) => (s.engine as SqliteEngine).db;

before(async () => {
  tmp = await tempDir();
  store = freshStore(tmp.dir);
  await write(store, added(FLEET));
});
after(async () => {
  await store.close();
  await tmp.remove();
});

const find = async (identity: string) => (await store.devices.findAll([identity])).get(identity);
const ids = (rows: { identity: string }[]) => rows.map((r) => r.identity).sort();

test('each state filter selects exactly the phones deviceState() puts in it, and the counts agree', async () => {
  const expected = Object.fromEntries(DEVICE_STATES.map((s) => [s, FLEET.filter((r) => deviceState(r, NOW, LIMITS).state === s)]));
  for (const s of DEVICE_STATES) {
    assert.ok(expected[s]!.length > 0, `the fleet has ${s} phones`);
    assert.deepEqual(ids(await store.devices.list({ state: s }, cutoffs, 'mac', 'asc', 1000, 0)), ids(expected[s]!), s);
  }
  const counts = await store.devices.countByState({}, cutoffs);
  assert.deepEqual(counts, Object.fromEntries(DEVICE_STATES.map((s) => [s, expected[s]!.length])));
  const deu = await store.devices.countByState({ locale: 'deu' }, cutoffs);
  assert.equal(Object.values(deu).reduce((a, b) => a + b, 0), FLEET.filter((r) => r.locale === 'DEU').length);
});

test('filters are exact and case-insensitive; search is a prefix of MAC (any notation), serial, user or model', async () => {
  const list = async (f: Parameters<Store['devices']['list']>[0]) => ids(await store.devices.list(f, cutoffs, 'mac', 'asc', 1000, 0));
  assert.deepEqual(await list({ model: 'cx600', locale: 'enu' }), ids(FLEET.filter((r) => r.model === 'CX600' && r.locale === 'ENU')));
  assert.deepEqual(await list({ version: '4.0.7577.4455' }), ids(FLEET.filter((r) => r.version === '4.0.7577.4455')));
  assert.deepEqual(await list({ q: '00-04-f2-00-01-0' }), ids(FLEET.filter((r) => r.mac.startsWith('0004F200010'))));
  assert.deepEqual(await list({ q: 'c185h000012' }), ids(FLEET.filter((r) => r.serial.startsWith('C185H000012'))));
  assert.deepEqual(await list({ q: 'USER13' }), ids(FLEET.filter((r) => r.userName.startsWith('user13'))));
  assert.equal((await list({ q: 'cx7' })).length, 300);
  assert.deepEqual(await list({ q: '%' }), [], 'wildcards are searched for, not expanded');
  assert.deepEqual(await list({ q: 'user_' }), []);
});

test('sorting and paging', async () => {
  const page = async (offset: number) => await store.devices.list({}, cutoffs, 'lastSeen', 'desc', 50, offset);
  const all = [...(await page(0)), ...(await page(50))];
  assert.equal(new Set(all.map((r) => r.id)).size, 100, 'pages do not overlap');
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.lastSeen >= all[i]!.lastSeen);
  const users = (await store.devices.list({}, cutoffs, 'user', 'asc', 1000, 0)).map((r) => r.userName.toLowerCase());
  assert.deepEqual(users, [...users].sort());
});

test('a rule counts the phones of its model and locale, in any case', async () => {
  const want = FLEET.filter((r) => r.model === 'CX600' && r.locale === 'ENU').length;
  assert.equal(await store.devices.countForRule({ deviceType: 'ucphone', vendor: 'POLYCOM', model: 'cx600', revision: 'a', locale: 'Enu' }), want);
  assert.equal(await store.devices.countForRule({ deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX600', revision: 'B', locale: 'ENU' }), 0);
});

test('a write sets what changed, and the derived phase follows', async () => {
  const r = (await find(FLEET[1]!.identity))!;
  assert.deepEqual(r, { ...FLEET[1], id: 2 });
  await write(store, [{ before: r, after: { ...r, lastSeen: at(1001), version: '4.0.7577.4455', updatedAt: at(1001), dueVersion: null, dueFolder: null } }]);
  const back = (await find(r.identity))!;
  assert.equal(back.lastSeen, at(1001));
  assert.equal(back.version, '4.0.7577.4455');
  assert.equal(sql(store).prepare('SELECT phase FROM devices WHERE identity = ?').pluck().get(r.identity), 'updated');
  await write(store, [{ before: back, after: back }]);
  assert.deepEqual(await find(r.identity), back);
});

test('judged again by group, the stored phase and its start are what phaseOf() and phaseSince() make of the new due offer', () =>
  withFreshStore(async (s) => {
    await write(s, added(FLEET));
    const stored = () => sql(s).prepare('SELECT identity, phase, phase_since AS since FROM devices').all() as { identity: string; phase: string; since: string | null }[];
    const dues = [
      { blocker: null },
      { blocker: 'image-missing' as const },
      { version: '4.0.7577.4455', folder: 'ucphone/polycom/cx600/a/enu/4.0.7577.4455/cpe' },
      { version: '4.0.7577.4500', folder: 'ucphone/polycom/cx600/a/enu/4.0.7577.4500/cpe' },
    ];
    for (const due of dues) {
      for (const situation of await s.devices.situations()) await s.devices.setDue(situation, due);
      const offer = 'version' in due ? due : null;
      const blocker = 'blocker' in due ? (due.blocker ?? null) : null;
      const byId = new Map(FLEET.map((r) => [r.identity, { ...r, dueVersion: offer?.version ?? null, dueFolder: offer?.folder ?? null, dueBlocker: blocker }]));
      for (const row of stored()) {
        const r = byId.get(row.identity)!;
        assert.deepEqual([row.phase, row.since], [phaseOf(r), phaseSince(r)], `${row.identity} with ${offer?.version ?? blocker ?? 'nothing'} due`);
      }
      assert.deepEqual(ids(await s.devices.list({}, cutoffs, 'mac', 'asc', 1000, 0)).length, FLEET.length);
    }
    assert.equal(await s.devices.setDue((await s.devices.situations())[0]!, dues[3]!), 0, 'phones already due that offer are not written');
  }));

// ---- The cap: eviction, the count kept in memory, and what being full cost (each on a store of its own) ----

/** Phone n seen first and last at these hours (of BASE), with `over` (downloads, updates). */
function seen(n: number, first: number, last: number, over: Partial<DeviceRecord> = {}): DeviceRecord {
  const mac = `00E0DB${n.toString(16).toUpperCase().padStart(6, '0')}`;
  return { ...record(n), identity: `mac:${mac}`, mac, serial: `S${n}`, firstSeen: at(first), lastSeen: at(last), offeredVersion: null, offeredFolder: null, offeredAt: null, downloadedAt: null, updatedAt: null, ...over };
}

test('eviction removes exactly the phones evictable() allows (test devices and the kept ones spared), oldest first', () =>
  withFreshStore(async (s) => {
    const now = at(1000);
    const mixed: DeviceRecord[] = [];
    for (let n = 0; n < 240; n++) {
      const last = 1000 - (n % 80); // 0 to 79 hours ago
      const span = [0, 0.25, 0.999, 1, 30][n % 5]!; // hours between the first and the last check
      const over = n % 7 === 0 ? { downloadedAt: at(last) } : n % 11 === 0 ? { updatedAt: at(last) } : {};
      mixed.push(seen(n, last - span, last, over));
    }
    // Three that the rule alone would evict: two test devices (by MAC, by serial), and one the caller keeps.
    const [byMac, bySerial, kept] = mixed.filter((r) => evictable(r, false, now)) as [DeviceRecord, DeviceRecord, DeviceRecord];
    const tests = [byMac, bySerial];
    await s.testDevices.add({ name: 'by MAC', mac: byMac.mac, serial: null }, now);
    await s.testDevices.add({ name: 'by serial', mac: null, serial: bySerial.serial.toLowerCase() }, now);
    await write(s, added(mixed));
    const isTest = (r: DeviceRecord) => tests.some((t) => t.identity === r.identity);
    const expected = mixed.filter((r) => evictable(r, isTest(r), now) && r !== kept);
    assert.ok(expected.length > 20 && expected.length < mixed.length / 2, `${expected.length} of ${mixed.length} evictable`);

    assert.equal(await s.devices.count(), 240);
    const gone = await s.engine.transaction((tx) => tx.devices.evict(evictableBefore(now), 5, [kept.identity]), { wait: true });
    assert.equal(gone, 5);
    const oldest = [...expected].sort((a, b) => (a.lastSeen < b.lastSeen ? -1 : a.lastSeen > b.lastSeen ? 1 : 0));
    const left = await s.devices.findAll(mixed.map((r) => r.identity));
    const removed = mixed.filter((r) => !left.has(r.identity));
    assert.ok(removed.every((r) => r.lastSeen <= oldest[4]!.lastSeen), 'the five last seen longest ago');

    await s.engine.transaction((tx) => tx.devices.evict(evictableBefore(now), 10_000, [kept.identity]), { wait: true });
    const rest = await s.devices.findAll(mixed.map((r) => r.identity));
    assert.deepEqual(ids(mixed.filter((r) => !rest.has(r.identity))), ids(expected));
    assert.equal(await s.devices.count(), 240 - expected.length, 'the count in memory followed the evictions');
    assert.equal(sql(s).prepare('SELECT count(*) FROM devices').pluck().get(), 240 - expected.length);
  }));

test('the count is kept through inserts and evictions, and counted again after another connection wrote', () =>
  withFreshStore(async (s) => {
    assert.equal(await s.devices.count(), 0);
    await write(s, added([seen(1, 0, 0), seen(2, 0, 0), seen(3, 0, 50)]));
    assert.equal(await s.devices.count(), 3);
    const other = freshStore(s.paths.dataDir); // the CLI's audit import, say
    await write(other, added([seen(4, 0, 0)]));
    await other.close();
    assert.equal(await s.devices.count(), 4);
    await assert.rejects(
      s.engine.transaction(async (tx) => {
        await tx.devices.evict(at(100), 10, []);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal(await s.devices.count(), 4, 'a rolled-back eviction is not counted');
  }));

test('what being full cost adds up from its first time, and starts again once cleared', () =>
  withFreshStore(async (s) => {
    assert.equal(await s.devices.overflow(), undefined);
    await s.engine.transaction((tx) => tx.devices.countOverflow(at(1), 3, 0));
    await s.engine.transaction((tx) => tx.devices.countOverflow(at(2), 0, 5));
    assert.deepEqual(await s.devices.overflow(), { since: at(1), evicted: 3, refused: 5 });
    await s.devices.clearOverflow();
    assert.equal(await s.devices.overflow(), undefined);
    await s.devices.countOverflow(at(9), 1, 1);
    assert.deepEqual(await s.devices.overflow(), { since: at(9), evicted: 1, refused: 1 });
  }));
