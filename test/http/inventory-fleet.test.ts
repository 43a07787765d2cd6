// A simulated fleet against a real server (loopback listeners, a real store, real cabs) with an injected clock:
// phones go offered -> downloaded -> updated, get stuck (never downloaded; downloaded but never installed) and go silent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_PHONE, downloadOffer, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { listDevices } from '../../src/server/app/inventory.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import type { RunningServer } from '../../src/server/compose.js';
import { deviceQuery, type DeviceDto, type DeviceState } from '../../src/shared/inventory-api.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
let now = new Date(Date.UTC(2026, 5, 1, 8));
const hoursLater = (h: number) => (now = new Date(now.getTime() + h * 3_600_000));

const OLD = '4.0.7577.4000';
const NEW = '4.0.7577.4366';
const phone = (group: string, n: number, version = OLD): SimulatedPhone => ({
  ...DEFAULT_PHONE,
  mac: `0004F2${group}${String(n).padStart(4, '0')}`,
  serial: `SN-${group}-${n}`,
  userName: `${group.toLowerCase()}${n}@contoso.com`,
  version,
});
const GROUPS = { updated: 'AA', neverDownloaded: 'BB', neverInstalled: 'CC', upToDate: 'DD', silent: 'EE' };
const SIZE = 4;
const each = async (group: string, fn: (p: (version?: string) => SimulatedPhone) => Promise<void>) => {
  for (let n = 0; n < SIZE; n++) await fn((version) => phone(group, n, version));
};

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'), { clock: () => now });
  await importPackage(server.store, await multiDevicePackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  const cx600 = (await server.store.rules.list()).find((r) => r.model === 'CX600' && r.locale === 'ENU')!;
  await applyRuleAction(server.store, 'approve', [cx600.id], 'test');
});
after(async () => {
  await server.close();
  await tmp.remove();
});

const devices = (q: Record<string, string> = {}) => listDevices(server.store, deviceQuery.parse({ limit: '1000', ...q }));
const stateOf = async (group: string) => (await devices({ q: `0004F2${group}` })).devices.map((d: DeviceDto) => d.state);
/** Waits for the inventory's next flush to show `want` for every phone of the group. */
const expectGroup = (group: string, want: DeviceState) =>
  eventually(async () => assert.deepEqual(await stateOf(group), Array<DeviceState>(SIZE).fill(want), `group ${group}`));

test('the fleet goes through offered -> downloaded -> updated, stuck and silent', async () => {
  // Day 1, 08:00. Phones are offered 4366 one after another; some download it (all share 127.0.0.1, so a download
  // is attributed to the earliest phone offered that folder from there that has not downloaded: each downloads in turn).
  await each(GROUPS.updated, async (p) => {
    const r = await simulateCheck(server.urls.http, p());
    assert.equal(r.response!.files[0]!.version, NEW);
    await downloadOffer(r.response!);
  });
  await expectGroup(GROUPS.updated, 'downloaded');
  await each(GROUPS.neverInstalled, async (p) => void (await downloadOffer((await simulateCheck(server.urls.http, p())).response!)));
  await each(GROUPS.neverDownloaded, async (p) => void (await simulateCheck(server.urls.http, p())));
  await each(GROUPS.upToDate, async (p) => void (await simulateCheck(server.urls.http, p(NEW))));
  await each(GROUPS.silent, async (p) => void (await simulateCheck(server.urls.http, p(NEW))));
  await expectGroup(GROUPS.neverDownloaded, 'offered');
  await expectGroup(GROUPS.neverInstalled, 'downloaded');
  await expectGroup(GROUPS.upToDate, 'up-to-date');

  // An hour later the first group restarted on the new version: updated.
  hoursLater(1);
  await each(GROUPS.updated, async (p) => assert.equal((await simulateCheck(server.urls.http, p(NEW))).response!.numOfFiles, 0));
  await expectGroup(GROUPS.updated, 'updated');

  // A day and a bit later (past the 24-hour default), the others check again, unchanged: stuck.
  hoursLater(25);
  for (const g of [GROUPS.neverDownloaded, GROUPS.neverInstalled]) await each(g, async (p) => void (await simulateCheck(server.urls.http, p())));
  await eventually(async () => assert.deepEqual(await stateOf(GROUPS.neverInstalled), Array(SIZE).fill('stuck')));
  assert.deepEqual(await stateOf(GROUPS.neverDownloaded), Array(SIZE).fill('stuck'));
  const reasons = (await devices({ state: 'stuck' })).devices.map((d) => d.reason);
  assert.ok(reasons.some((r) => /^Offered 4\.0\.7577\.4366 26 hours ago and never downloaded it\.$/.test(r)), reasons.join('\n'));
  assert.ok(reasons.some((r) => /^Downloaded 4\.0\.7577\.4366 26 hours ago but still reports 4\.0\.7577\.4000\.$/.test(r)), reasons.join('\n'));

  // Seven days and an hour on, only two groups checked in again: the rest, stuck ones included, are silent.
  hoursLater(7 * 24 + 1);
  for (const g of [GROUPS.updated, GROUPS.upToDate]) await each(g, async (p) => void (await simulateCheck(server.urls.http, p(NEW))));
  await eventually(async () => assert.deepEqual(await stateOf(GROUPS.upToDate), Array(SIZE).fill('up-to-date')));
  assert.deepEqual(await stateOf(GROUPS.silent), Array(SIZE).fill('silent'));
  assert.deepEqual(await stateOf(GROUPS.updated), Array(SIZE).fill('updated'));

  const all = await devices();
  assert.equal(all.total, 5 * SIZE);
  assert.deepEqual(all.counts, { 'up-to-date': SIZE, blocked: 0, behind: 0, offered: 0, downloaded: 0, updated: SIZE, stuck: 0, silent: 3 * SIZE });
  const one = all.devices.find((d) => d.mac === '0004F2AA0000')!;
  assert.equal(one.userName, 'aa0@contoso.com');
  assert.equal(one.address, '127.0.0.1');
  assert.equal(one.version, NEW);
  assert.equal(one.firstSeen, '2026-06-01T08:00:00.000Z');
});
