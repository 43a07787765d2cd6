// The fleet view tells the truth at every moment: a simulated fleet on a real server (loopback listeners, a real
// store, real cabs) through approve, a newer import, reject, an approval by another process (the CLI), roll back,
// purge and test devices. After each step, without waiting for any phone to check again, every phone's state and
// reason agree with its Why (the phone path's own decision), the states partition the fleet, and each approved
// rule's rollout parts partition its phones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_PHONE, downloadOffer, httpRequest, phoneRequestBody, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { Catalog } from '../../src/server/app/catalog.js';
import { explainPhone, listenerConnection } from '../../src/server/app/explain.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { dashboard, listDevices } from '../../src/server/app/inventory.js';
import { applyPurge } from '../../src/server/app/purge.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { Store } from '../../src/server/app/store.js';
import { addTestDevice, removeTestDevice } from '../../src/server/app/test-devices.js';
import type { RunningServer } from '../../src/server/compose.js';
import { deviceQuery, type DeviceDto, type DeviceState } from '../../src/shared/inventory-api.js';
import { multiDevicePackage, newerPackage, olderPackage } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
let catalog: Catalog;
const now = new Date(Date.UTC(2026, 5, 1, 8));

const OLD = '4.0.7577.4000';
const CU7 = '4.0.7577.4366'; // the multi package's CX600 version
const CU8 = '4.0.7577.4387'; // newerPackage
const CU7_FIRST = '4.0.7577.4363'; // olderPackage
const phone = (n: number, over: Partial<SimulatedPhone> = {}): SimulatedPhone => ({
  ...DEFAULT_PHONE,
  mac: `0004F2CC${String(n).padStart(4, '0')}`,
  serial: `SN-CC-${n}`,
  version: OLD,
  ...over,
});
const A = phone(1);
const B = phone(2);
const C = phone(3);
const ON_CU7 = phone(4, { version: CU7 });
const TEST = phone(5);
const CX700 = phone(6, { model: 'CX700', version: '3.5.6000.0' });
const FLEET = [A, B, C, ON_CU7, TEST, CX700];

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'), { clock: () => now });
  catalog = await Catalog.load(server.store);
  await importPackage(server.store, await multiDevicePackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
});
after(async () => {
  catalog?.close();
  await server.close();
  await tmp.remove();
});

const rule = async (model: string) => (await server.store.rules.list()).find((r) => r.model === model && r.locale === 'ENU')!;
const devices = () => listDevices(server.store, deviceQuery.parse({ limit: '1000', sort: 'mac', order: 'asc' }));
const device = async (p: SimulatedPhone) => (await devices()).devices.find((d) => d.mac === p.mac)!;
const check = async (p: SimulatedPhone) => (await simulateCheck(server.urls.http, p)).response!;

/** What the phone's Why offers it now: the phone path's decision on the current rules. */
function whyOffers(d: DeviceDto): string | null {
  const { deviceType, vendor, model, revision, locale, version } = d;
  const why = explainPhone(catalog.current(), { deviceType, vendor, model, revision, locale, version, mac: d.mac ?? undefined }, listenerConnection(server.urls.http), now);
  return why.offered?.version ?? null;
}

/** Every phone's state and reason against its Why; the states and each rollout as partitions. */
async function assertTruth(step: string): Promise<Map<string, DeviceDto>> {
  const list = await devices();
  for (const d of list.devices) {
    const offers = whyOffers(d);
    const at = `${step}: ${d.mac} (${d.state}: ${d.reason})`;
    assert.equal(d.dueVersion, offers, `${at}: due what its Why offers`);
    if (d.state === 'up-to-date' || d.state === 'updated') assert.equal(offers, null, at);
    if (d.state === 'behind') assert.ok(d.reason.includes(`will be offered ${offers} at its next check`), at);
    if (d.state === 'offered' || d.state === 'downloaded' || d.state === 'stuck') assert.equal(d.offeredVersion, offers, at);
    if (offers === null) assert.ok(!/will be offered|^Offered|^Downloaded/.test(d.reason), at);
  }
  assert.equal(Object.values(list.counts).reduce((a, b) => a + b, 0), list.total, `${step}: the states partition the fleet`);
  for (const r of (await dashboard(server.store)).rollouts) {
    const parts = r.onApproved + r.behind + r.offered + r.downloaded + r.stuck + r.silent + r.other;
    assert.equal(parts, r.eligible, `${step}: ${r.rule}'s parts sum to its phones: ${JSON.stringify(r)}`);
  }
  return new Map(list.devices.map((d) => [d.mac!, d]));
}
const states = (m: Map<string, DeviceDto>, phones: SimulatedPhone[]) => phones.map((p) => m.get(p.mac)!.state);

test('states stay true through approve, import, reject, another process approving, roll back, purge and test devices', async () => {
  await addTestDevice(server.store, { name: 'lab', mac: TEST.mac }, 'test');
  for (const p of FLEET) await check(p);
  await eventually(async () => assert.equal((await devices()).total, FLEET.length));
  let m = await assertTruth('CU7 pending');
  assert.deepEqual(states(m, [A, B, C, ON_CU7, TEST, CX700]), ['up-to-date', 'up-to-date', 'up-to-date', 'up-to-date', 'offered', 'up-to-date']);

  // Approved: phones that checked while it was pending are behind at once, not "up to date" until they check again.
  await applyRuleAction(server.store, 'approve', [(await rule('CX600')).id], 'test');
  m = await assertTruth('CU7 approved');
  assert.deepEqual(states(m, [A, B, C, ON_CU7, TEST]), ['behind', 'behind', 'behind', 'up-to-date', 'offered']);
  assert.equal(m.get(A.mac)!.reason, `Runs ${OLD}; will be offered ${CU7} at its next check.`);
  assert.equal((await devices()).counts.behind, 3, 'the counts by state (the chips) were counted a moment ago, and again after the approval');
  assert.deepEqual(
    (({ eligible, onApproved, behind, offered, other }) => ({ eligible, onApproved, behind, offered, other }))((await dashboard(server.store)).rollouts[0]!),
    { eligible: 5, onApproved: 1, behind: 3, offered: 1, other: 0 },
  );

  // A and B check: offered. A download comes from 127.0.0.1, where A, B and the test device are all offered CU7:
  // it is attributed to none of them, and said so. A's next check reports CU7: updated.
  const offer = await check(A);
  await check(B);
  await downloadOffer(offer);

  await eventually(async () => assert.notEqual((await device(A)).sharedDownload, null)); // (assert.ok without a message parses the source: slow)
  m = await assertTruth('a shared download');
  assert.deepEqual(states(m, [A, B, TEST]), ['offered', 'offered', 'offered']);
  assert.deepEqual(m.get(A.mac)!.sharedDownload, { downloads: 1, lastAt: now.toISOString(), phones: 3 });
  assert.match(m.get(B.mac)!.reason, /not known to have downloaded it\. A download of this image came from 127\.0\.0\.1 .*shared by 3 phones offered it; which phone is not known\.$/);
  await check({ ...A, version: CU7 });
  await eventually(async () => assert.equal((await device(A)).state, 'updated'));

  // A newer version imported (pending): the test device is due it, instead of its offer of CU7.
  await importPackage(server.store, await newerPackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'newer.cab' });
  m = await assertTruth('CU8 pending');
  assert.equal(m.get(TEST.mac)!.state, 'behind');
  assert.equal(m.get(TEST.mac)!.reason, `Runs ${OLD}; will be offered ${CU8} at its next check, instead of ${CU7} offered at its last check.`);

  // Rejected: its offer of CU7 stands again.
  await applyRuleAction(server.store, 'reject', [(await rule('CX600')).id], 'test');
  m = await assertTruth('CU8 rejected');
  assert.equal(m.get(TEST.mac)!.state, 'offered');

  // An older build imported, then approved by another process sharing the file (the CLI while the server runs).
  await importPackage(server.store, await olderPackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'older.cab' });
  const cli = new Store(join(tmp.dir, 'data'));
  try {
    await applyRuleAction(cli, 'approve', [(await rule('CX600')).id], 'cli');
  } finally {
    await cli.close();
  }
  // This process's catalog (the Why) sees another process's change within POLL_MS.
  m = await eventually(() => assertTruth(`${CU7_FIRST} approved by the CLI`));
  assert.deepEqual(states(m, [A, B, C, ON_CU7, TEST]), ['behind', 'behind', 'behind', 'behind', 'behind']);
  assert.equal((await devices()).counts.behind, 5, 'counted again after the other process judged the phones');
  assert.match(m.get(A.mac)!.reason, new RegExp(`^Runs ${CU7}; will be offered ${CU7_FIRST} at its next check\\.$`));

  // Rolled back to CU7: A updated again, B's offer stands, C behind.
  await applyRuleAction(server.store, 'rollback', [(await rule('CX600')).id], 'test');
  m = await assertTruth('rolled back');
  assert.deepEqual(states(m, [A, B, C, ON_CU7, TEST]), ['updated', 'offered', 'behind', 'up-to-date', 'offered']);

  // The packages no rule needs any more are purged: nothing changes for the phones.
  const purgeable = (await server.store.packages.list()).filter((p) => p.fileName !== 'UCUpdates.cab').map((p) => p.id);
  await applyPurge(server.store, purgeable, 'test');
  await assertTruth('purged');

  // The CX700 made a test device: due the pending 3.5.6907.0 at once; removed again: up to date.
  const lab700 = await addTestDevice(server.store, { name: 'lab 700', mac: CX700.mac }, 'test');
  m = await assertTruth('CX700 a test device');
  assert.deepEqual([m.get(CX700.mac)!.state, m.get(CX700.mac)!.dueVersion], ['behind', '3.5.6907.0'] as [DeviceState, string]);
  await removeTestDevice(server.store, lab700.id, 'test');
  m = await assertTruth('CX700 no longer a test device');
  assert.equal(m.get(CX700.mac)!.state, 'up-to-date');

  // The phones check again: each is told what its state said it would be.
  for (const p of [B, C, TEST]) await check(p);
  await eventually(async () => assert.deepEqual(states(await assertTruth('checked again'), [B, C, TEST]), ['offered', 'offered', 'offered']));
});

test('behind a trusted reverse proxy the inventory records the client it forwarded for; from anyone else the header is ignored', async () => {
  const viaProxy = (p: SimulatedPhone, forwardedFor: string, header = 'X-Forwarded-For') =>
    httpRequest(`${server.urls.http}/RequestHandler/ucdevice.upx`, {
      method: 'POST',
      body: phoneRequestBody(p),
      headers: { 'Content-Type': 'text/xml', [header]: forwardedFor },
    });
  const [first, second, third, fourth] = [phone(40), phone(41), phone(42), phone(43)];
  assert.equal((await viaProxy(first, '10.1.2.3')).status, 200);
  await eventually(async () => assert.equal((await device(first))?.address, '127.0.0.1', 'not a trusted proxy: its header is not believed'));
  await updateSettings(server.store, { trustedProxies: ['127.0.0.1'] }, 'test');
  assert.equal((await viaProxy(second, '192.0.2.1, 10.1.2.4')).status, 200);
  await eventually(async () => assert.equal((await device(second))?.address, '10.1.2.4', 'the entry the trusted proxy added'));
  // Read as the admin listener reads it (http/forwarded.ts): RFC 7239, and a chain of trusted proxies.
  assert.equal((await viaProxy(third, 'for=192.0.2.9, for="10.1.2.5:5060"', 'Forwarded')).status, 200);
  await eventually(async () => assert.equal((await device(third))?.address, '10.1.2.5', 'Forwarded: the last hop, port stripped'));
  await updateSettings(server.store, { trustedProxies: ['127.0.0.1', '10.9.9.9'] }, 'test');
  assert.equal((await viaProxy(fourth, '10.1.2.6, 10.9.9.9')).status, 200);
  await eventually(async () => assert.equal((await device(fourth))?.address, '10.1.2.6', 'past a second trusted proxy, to the client'));
  await updateSettings(server.store, { trustedProxies: [] }, 'test');
});
