// GET /api/dashboard against a small simulated fleet on a real server with an injected clock: counts by state, the
// firmware per model, each approved rule's rollout, and distinct phones per UTC day.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_PHONE, downloadOffer, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import type { RunningServer } from '../../src/server/compose.js';
import type { DashboardDto } from '../../src/shared/inventory-api.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
let now = new Date(Date.UTC(2026, 4, 24, 8));
const NEW = '4.0.7577.4366';
const OLD = '4.0.7577.4000';
const CX700_NEW = '3.5.6907.0';
const CX700_OLD = '3.5.6000.0';

let n = 0;
const phone = (over: Partial<SimulatedPhone>): SimulatedPhone => ({ ...DEFAULT_PHONE, mac: `0004F2AA${String(++n).padStart(4, '0')}`, serial: `SN${n}`, ...over });
const CX600 = (version: string) => phone({ version });
const CX700 = (version: string) => phone({ model: 'CX700', version });
const check = async (p: SimulatedPhone) => (await simulateCheck(server.urls.http, p)).response!;

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'), { clock: () => now });
  await importPackage(server.store, await multiDevicePackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  // CX600 and CX700 (ENU) approved; IP8540 and CX700 DEU stay pending: no rollout of theirs is shown.
  const approved = (await server.store.rules.list()).filter((r) => ['CX600', 'CX700'].includes(r.model) && r.locale === 'ENU');
  await applyRuleAction(server.store, 'approve', approved.map((r) => r.id), 'test');
});
after(async () => {
  await server.close();
  await tmp.remove();
});

async function dashboard(): Promise<DashboardDto> {
  const r = await fetch(`${server.urls.admin}/api/dashboard`, { headers: { authorization: `Bearer ${server.local.launchToken}` } });
  assert.equal(r.status, 200);
  return (await r.json()) as DashboardDto;
}

test('the dashboard: states, firmware per model, rollouts of approved rules, distinct phones per day', async () => {
  const empty = await dashboard();
  assert.equal(empty.total, 0);
  assert.equal(empty.seenPerDay.length, 30);
  assert.ok(empty.seenPerDay.every((d) => d.phones === 0));

  // 24 May: a CX700 is offered 3.5.6907.0, then never heard from again (silent by 2 June).
  const silent = CX700(CX700_OLD);
  await check(silent);

  // 1 June: phones on the approved versions, one that updates, one that never moves (stuck a day later), others.
  now = new Date(Date.UTC(2026, 5, 1, 8));
  const [a1, a4, updates] = [CX600(NEW), CX600(NEW), CX600(OLD)];
  const [b1, stuck] = [CX700(CX700_NEW), CX700(CX700_OLD)];
  const ip8540 = phone({ vendor: 'LG-Nortel', model: 'IP8540', version: '1.0.522.103' });
  const deu = phone({ locale: 'DEU', version: NEW });
  await downloadOffer(await check(updates)); // the only phone awaiting the CX600 image here: the download is its
  for (const p of [a1, a4, b1, stuck, stuck, ip8540, deu]) await check(p); // checking twice counts once

  // 2 June, 09:00: it restarted on the new version; a phone is offered and downloads, another is offered.
  now = new Date(Date.UTC(2026, 5, 2, 9));
  await check({ ...updates, version: NEW });
  const downloads = CX600(OLD);
  await downloadOffer(await check(downloads));
  const offered = CX600(OLD);
  await check(offered);
  await check(stuck);

  await eventually(async () => assert.equal((await dashboard()).total, 10));
  const d = await dashboard();
  // The German CX600 has no rule for its locale: it can never update (blocked).
  assert.deepEqual(d.counts, { 'up-to-date': 4, blocked: 1, behind: 0, offered: 1, downloaded: 1, updated: 1, stuck: 1, silent: 1 });
  assert.deepEqual(d.versions, [
    { model: 'CX600', version: NEW, phones: 4 },
    { model: 'CX600', version: OLD, phones: 2 },
    { model: 'CX700', version: CX700_OLD, phones: 2 },
    { model: 'CX700', version: CX700_NEW, phones: 1 },
    { model: 'IP8540', version: '1.0.522.103', phones: 1 },
  ]);
  const rollouts = d.rollouts.map(({ ruleId, ...r }) => (assert.ok(ruleId > 0), r));
  assert.deepEqual(rollouts, [
    { rule: 'UCPhone/Polycom/CX600/A/ENU/CPE', approved: NEW, eligible: 5, onApproved: 3, blocked: 0, behind: 0, offered: 1, downloaded: 1, stuck: 0, silent: 0, other: 0 },
    { rule: 'UCPhone/Polycom/CX700/A/ENU/CPE', approved: CX700_NEW, eligible: 3, onApproved: 1, blocked: 0, behind: 0, offered: 0, downloaded: 0, stuck: 1, silent: 1, other: 0 },
  ]);
  assert.equal(d.seenPerDay.length, 30);
  assert.deepEqual([d.seenPerDay[0]!.day, d.seenPerDay.at(-1)!.day], ['2026-05-04', '2026-06-02']);
  assert.deepEqual(
    d.seenPerDay.filter((s) => s.phones > 0),
    [
      { day: '2026-05-24', phones: 1 },
      { day: '2026-06-01', phones: 7 },
      { day: '2026-06-02', phones: 4 },
    ],
  );
  assert.ok(!d.seenPerDay.some((s, i) => i > 0 && s.day <= d.seenPerDay[i - 1]!.day), 'one entry per day, in order');
});

test('days older than the chart drop out of it; seen_days keeps about 400 days', async () => {
  now = new Date(Date.UTC(2026, 5, 30, 9)); // 24 May is now 38 days ago
  assert.deepEqual(
    (await dashboard()).seenPerDay.filter((s) => s.phones > 0).map((s) => s.day),
    ['2026-06-01', '2026-06-02'],
  );
  // A phone checking in more than 400 days after the oldest day: the oldest day is pruned at that flush.
  now = new Date(Date.UTC(2027, 6, 1, 9));
  await check(CX600(NEW));
  await eventually(async () => assert.equal((await server.store.devices.seenDays('2000-01-01')).has('2026-05-24'), false));
  assert.deepEqual([...(await server.store.devices.seenDays('2000-01-01')).keys()].sort(), ['2026-06-01', '2026-06-02', '2027-07-01']);
});
