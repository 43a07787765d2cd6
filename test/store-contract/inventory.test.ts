// The store contract through the device inventory, on both engines: the phone path's recorder (checks decided on
// the catalog's rules, downloads attributed by address, one download shared by two phones behind one address), the
// inventory judged again by an approval, its cap, and what admins read of it (list, counts, CSV, dashboard, a phone's
// logs).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildSnapshot } from '../../src/server/app/catalog.js';
import { deviceLogsOf } from '../../src/server/app/device-logs.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { interimOverview } from '../../src/server/app/interim-overview.js';
import { dashboard, devicesCsv, getDevice, listDevices } from '../../src/server/app/inventory.js';
import { judgeInventory } from '../../src/server/app/inventory-judge.js';
import { InventoryRecorder } from '../../src/server/app/inventory-recorder.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import type { Store } from '../../src/server/app/store.js';
import { addTestDevice } from '../../src/server/app/test-devices.js';
import { decisionFor, matchTestDevice } from '../../src/server/app/update-check.js';
import type { DeviceRequest } from '../../src/server/domain/device.js';
import { deviceQuery, type DeviceQuery } from '../../src/shared/inventory-api.js';
import { MULTI_VERSION, multiDevicePackage } from '../fixtures/cabs.js';
import { tempDir } from '../helpers.js';
import { acrossEngines, forEachEngine, normalise, NOW } from './engines.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let cab: string;
before(async () => {
  tmp = await tempDir('ucu-contract-cabs-');
  cab = await multiDevicePackage(join(tmp.dir, 'multi'));
});
after(() => tmp?.remove());

const CX600 = `UCPhone/Polycom/CX600/A/ENU/${MULTI_VERSION}/CPE`;
/** Minutes before the stores' clock: recent enough that no phone is stuck or silent. */
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);

function phone(n: number, over: Partial<DeviceRequest> & { version?: string } = {}): DeviceRequest {
  const { version = '4.0.7577.4300', ...rest } = over;
  const mac = `0004F20000${String(n).padStart(2, '0')}`;
  return {
    deviceType: 'UCPhone', mac, macRaw: mac, serial: `C185H${n}`, vendor: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU',
    userName: `user${n}@contoso.com`, requestTime: '', modules: [{ fileName: 'CPE.nbt', version: version as never, timestamp: '01-01-2012 00:00:00' }],
    ...rest,
  };
}

/** A check as the phone path makes it: decided on the store's current rules, recorded with the snapshot's key. */
async function check(store: Store, r: InventoryRecorder, when: Date, address: string, req: DeviceRequest): Promise<void> {
  const snap = await buildSnapshot(store);
  r.check(when, address, req, decisionFor(snap, req, matchTestDevice(snap, req)), snap.judgedAs);
}

const query = (q: Partial<DeviceQuery> = {}) => deviceQuery.parse(q);

async function csv(store: Store, q: Partial<DeviceQuery> = {}): Promise<string> {
  let text = '';
  for await (const part of devicesCsv(store, query(q))) text += part;
  return text;
}

acrossEngines('the phone path recorded and judged: checks, an approval, downloads alone and behind one address, the admin views', async (store) => {
  const out: Record<string, unknown> = {};
  const r = new InventoryRecorder(store.engine, { rejudge: (tx, ids) => judgeInventory(tx, ids) });
  try {
    await importPackage(store, cab, { fileName: 'UCUpdates.cab', actor: 'alice', kind: 'package' });
    await addTestDevice(store, { name: 'Lab', serial: 'c185h5' }, 'alice');
    // Nothing approved yet: phones are told nothing (the test device is offered the pending version).
    await check(store, r, at(60), '10.0.0.1', phone(1));
    await check(store, r, at(59), '10.0.0.9', phone(2));
    await check(store, r, at(58), '10.0.0.9', phone(3));
    await check(store, r, at(57), '10.0.0.4', phone(4, { model: 'CX700', locale: 'DEU', version: '3.5.6900.0' }));
    await check(store, r, at(56), '10.0.0.5', phone(5, { mac: '', macRaw: '' }));
    await check(store, r, at(55), '10.0.0.6', phone(6, { version: MULTI_VERSION }));
    await r.flush();
    out.before = await listDevices(store, query());
    assert.equal((out.before as { total: number }).total, 6);

    // Approving judges the inventory again in its transaction: phones 1-3 are now behind.
    const cx600 = (await store.rules.list()).find((x) => x.model === 'CX600')!.id;
    await applyRuleAction(store, 'approve', [cx600], 'alice');
    out.afterApproval = await listDevices(store, query());
    assert.equal((out.afterApproval as { counts: Record<string, number> }).counts.behind, 3);

    // They check again and are offered it; phone 1 downloads alone at its address, phones 2 and 3 share one address.
    for (const [n, addr] of [[1, '10.0.0.1'], [2, '10.0.0.9'], [3, '10.0.0.9']] as const) await check(store, r, at(40 - n), addr, phone(n));
    await r.flush();
    r.download(at(30), '10.0.0.1', `${CX600}/CPE.cat`, 200);
    r.download(at(30), '10.0.0.1', `${CX600}/CPE.nbt`, 200);
    r.download(at(29), '10.0.0.9', `${CX600}/CPE.nbt`, 200);
    r.download(at(28), '10.0.0.9', `${CX600}/CPE.nbt`, 206);
    await r.flush();
    // Phone 1 installed it and says so.
    await check(store, r, at(10), '10.0.0.1', phone(1, { version: MULTI_VERSION }));
    await r.flush();

    const all = await listDevices(store, query());
    out.all = all;
    const stateOf = (n: number) => all.devices.find((d) => d.mac === phone(n).mac)?.state;
    assert.deepEqual([1, 2, 3, 6].map(stateOf), ['updated', 'offered', 'offered', 'up-to-date']);
    assert.deepEqual([all.counts.updated, all.counts.offered, all.counts.behind], [1, 3, 0], 'counts follow the flushes');
    assert.deepEqual(all.devices.find((d) => d.mac === phone(2).mac)!.sharedDownload, { downloads: 2, lastAt: at(28).toISOString(), phones: 2 });
    for (const [name, q] of Object.entries({
      offered: { state: 'offered' }, byModel: { model: 'cx700' }, byLocale: { locale: 'deu' }, byVersion: { version: MULTI_VERSION },
      macPrefix: { q: '00-04-f2-00-00-0' }, serialPrefix: { q: 'c185h' }, userPrefix: { q: 'USER3@' }, modelPrefix: { q: 'cx7' },
      byMac: { sort: 'mac', order: 'desc' }, byUser: { sort: 'user' }, byVersionSort: { sort: 'version' }, byFirstSeen: { sort: 'firstSeen', order: 'asc' },
      page: { sort: 'mac', limit: 2, offset: 2 },
    } satisfies Record<string, Partial<DeviceQuery>>)) {
      out[name] = (await listDevices(store, query(q))).devices.map((d) => d.mac ?? d.serial);
    }
    assert.deepEqual(out.userPrefix, [phone(3).mac], 'a prefix of the last user, whatever its case');
    out.csv = await csv(store, { sort: 'mac' });
    out.csvOffered = await csv(store, { state: 'offered', sort: 'serial', order: 'desc' });
    out.dashboard = await dashboard(store);
    out.device = await getDevice(store, all.devices.find((d) => d.mac === phone(1).mac)!.id);
    out.interim = await interimOverview(store);
    out.dropped = r.droppedObservations;
  } finally {
    await r.close();
  }
  return normalise(out);
});

forEachEngine('a phone is known by its MAC or its serial; its uploaded logs are indexed, newest first, and removed by id or path', async (store) => {
  const r = new InventoryRecorder(store.engine);
  r.check(at(5), '10.0.0.1', phone(1), { offers: [], reason: 'up-to-date', langList: ['ENU'], trace: [] });
  await r.close();
  assert.equal(await store.devices.knows(phone(1).mac, ''), true);
  assert.equal(await store.devices.knows('', phone(1).serial), true);
  assert.equal(await store.devices.knows('0004F2FFFFFF', 'nobody'), false);
  const log = (n: number, over: { mac?: string; serial?: string; size?: number } = {}) => ({
    mac: phone(1).mac, serial: phone(1).serial, type: 'CELog', fileName: `ce${n}.clg`, relPath: `Client/CELog/${phone(1).mac}/${n}-ce.clg`,
    size: over.size ?? 100 * n, address: '10.0.0.1', receivedAt: at(10 - n).toISOString(), ...over,
  });
  const a = await store.deviceLogs.add(log(1));
  const b = await store.deviceLogs.add(log(2, { mac: '' })); // sent under its serial only
  const c = await store.deviceLogs.add(log(3, { serial: '' }));
  const other = await store.deviceLogs.add(log(4, { mac: '0004F2FFFFFF', serial: 'other' }));
  assert.ok(a < b && b < c && c < other);
  assert.deepEqual((await store.deviceLogs.listFor(phone(1).mac, phone(1).serial)).map((l) => l.id), [c, b, a]);
  assert.deepEqual(await store.deviceLogs.get(a), { id: a, ...log(1) });
  assert.equal(await store.deviceLogs.get(other + 1), undefined);
  assert.equal(await store.deviceLogs.bytesOf(phone(1).mac, phone(1).serial), 600);
  assert.equal(await store.deviceLogs.bytesOf('', ''), 0, 'a blank MAC and serial match nothing');
  assert.equal(await store.deviceLogs.totalBytes(), 1000);
  const [device] = (await listDevices(store, query())).devices;
  assert.deepEqual(await deviceLogsOf(store, device!.id), [c, b, a].map((id, i) => ({ id, type: 'CELog', fileName: `ce${3 - i}.clg`, size: 100 * (3 - i), receivedAt: at(7 + i).toISOString() })));
  assert.deepEqual((await store.deviceLogs.receivedBefore(at(7).toISOString())).map((l) => l.id).sort((x, y) => x - y), [a, b]);
  await store.deviceLogs.remove([a]);
  await store.deviceLogs.removePaths([log(2).relPath, 'Client/none']);
  assert.deepEqual((await store.deviceLogs.listFor(phone(1).mac, phone(1).serial)).map((l) => l.id), [c]);
  assert.equal(await store.deviceLogs.totalBytes(), 700);
});

acrossEngines('the inventory at its cap: phones seen once long ago make room, new ones are refused when none can, both counted until it has room', async (store) => {
  let max = 3;
  const full: number[] = [];
  const r = new InventoryRecorder(store.engine, { maxDevices: () => max, onFull: (n) => full.push(n) });
  const out: Record<string, unknown> = {};
  const snapshot = async () => ({
    count: await store.devices.count(),
    overflow: await store.devices.overflow(),
    phones: (await listDevices(store, query({ sort: 'mac' }))).devices.map((d) => d.mac),
  });
  const nothing = { offers: [], reason: 'up-to-date' as const, langList: ['ENU'], trace: [] };
  try {
    const threeDaysAgo = 3 * 24 * 60;
    for (const n of [1, 2, 3]) r.check(at(threeDaysAgo - n), '10.0.0.1', phone(n), nothing);
    r.check(at(threeDaysAgo - 180), '10.0.0.1', phone(3), nothing); // phone 3 came back: never evicted
    await r.flush();
    out.filled = await snapshot();
    for (const n of [4, 5]) r.check(at(20 - n), '10.0.0.2', phone(n), nothing);
    await r.flush();
    out.evicted = await snapshot();
    r.check(at(10), '10.0.0.2', phone(6), nothing);
    await r.flush();
    out.refused = await snapshot();
    max = 10;
    r.check(at(5), '10.0.0.2', phone(6), nothing);
    await r.flush();
    out.room = await snapshot();
    out.full = full;
    out.dropped = r.droppedObservations;
  } finally {
    await r.close();
  }
  assert.deepEqual((out.evicted as { phones: string[] }).phones, [3, 4, 5].map((n) => phone(n).mac));
  assert.deepEqual((out.refused as { overflow: unknown }).overflow, { since: at(15).toISOString(), evicted: 2, refused: 1 });
  assert.equal((out.room as { overflow: unknown }).overflow, undefined);
  assert.deepEqual(full, [3]);
  return normalise(out);
});
