// The inventory's state machine as tables: transitions on checks and downloads, and the state at a given time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceRequest } from '../../src/server/domain/device.js';
import type { NoneReason } from '../../src/server/domain/update-decision.js';
import {
  applyCheck,
  applyDownload,
  awaitsDownload,
  blockerOf,
  deviceIdentity,
  deviceState,
  phaseOf,
  phaseSince,
  reportedVersion,
  type CheckObservation,
  type DeviceRecord,
} from '../../src/server/domain/device-state.js';

const T = (h: number) => new Date(Date.UTC(2026, 0, 1) + h * 3_600_000).toISOString();
const NOW = (h: number) => new Date(T(h));
const LIMITS = { stuckHours: 24, silentDays: 7 };
const FOLDER = 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4455/CPE';
const ID = 'mac:0004F2000001';

const request = (over: Partial<DeviceRequest> = {}): DeviceRequest => ({
  deviceType: 'UCPhone',
  mac: '0004F2000001',
  macRaw: '00-04-F2-00-00-01',
  serial: 'C185H0000001',
  vendor: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  userName: 'ann@contoso.com',
  requestTime: '',
  modules: [{ fileName: 'cpe.nbt', version: '4.0.7577.4420', timestamp: '01-01-1601 00:00:00' }],
  ...over,
});

const check = (at: number, version: string, offer: string | null, over: Partial<CheckObservation> = {}): CheckObservation => ({
  at: T(at),
  address: '10.0.0.5',
  request: request(),
  version,
  offer: offer ? { version: offer, folder: FOLDER.replace('4.0.7577.4455', offer) } : null,
  ...over,
});

/** Runs a phone through a list of events from nothing. */
function run(events: (['check', number, string, string | null] | ['download', number])[]): DeviceRecord {
  let r: DeviceRecord | undefined;
  for (const e of events) {
    if (e[0] === 'check') r = applyCheck(r, ID, check(e[1], e[2], e[3]));
    else {
      assert.ok(r && awaitsDownload(r, '10.0.0.5', r.offeredFolder!), 'the download finds the phone');
      r = applyDownload(r, T(e[1]));
    }
  }
  return r!;
}

test('identity: the MAC, else the serial (upper case), else none; placeholder MACs count as blank', () => {
  const rows: [Pick<DeviceRequest, 'mac' | 'serial'>, string | undefined][] = [
    [{ mac: '0021630F207B', serial: 'C185H001209' }, 'mac:0021630F207B'],
    [{ mac: '', serial: ' c185h001209 ' }, 'serial:C185H001209'],
    [{ mac: '000000000000', serial: 'X1' }, 'serial:X1'],
    [{ mac: 'FFFFFFFFFFFF', serial: '' }, undefined],
    [{ mac: '', serial: '  ' }, undefined],
  ];
  for (const [req, want] of rows) assert.equal(deviceIdentity(req), want, JSON.stringify(req));
});

test('reported version: the .nbt module, else the first one, else blank', () => {
  const m = (fileName: string, version: string) => ({ fileName, version, timestamp: '' });
  assert.equal(reportedVersion([m('a.cat', '1.0.0.1'), m('CPE.NBT', '4.0.7577.4420')]), '4.0.7577.4420');
  assert.equal(reportedVersion([m('other.bin', '1.0.0.1')]), '1.0.0.1');
  assert.equal(reportedVersion([]), '');
});

test('state machine: each history ends in the expected state and reason', () => {
  const rows: { name: string; events: Parameters<typeof run>[0]; now: number; state: string; reason: RegExp }[] = [
    { name: 'nothing to offer', events: [['check', 0, '4.0.7577.4420', null]], now: 1, state: 'up-to-date', reason: /^Runs 4\.0\.7577\.4420; nothing is offered/ },
    { name: 'offered', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455']], now: 1, state: 'offered', reason: /^Offered 4\.0\.7577\.4455 60 minutes ago; not downloaded yet/ },
    { name: 'offered, never downloaded', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455']], now: 25, state: 'stuck', reason: /^Offered 4\.0\.7577\.4455 25 hours ago and never downloaded it/ },
    { name: 'offered again and again: counted from the first offer', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['check', 20, '4.0.7577.4420', '4.0.7577.4455']], now: 25, state: 'stuck', reason: /25 hours ago/ },
    { name: 'downloaded', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['download', 1]], now: 2, state: 'downloaded', reason: /^Downloaded 4\.0\.7577\.4455 60 minutes ago; it has not reported it yet/ },
    { name: 'downloaded, checked again on the old version, within the limit', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['download', 1], ['check', 2, '4.0.7577.4420', '4.0.7577.4455']], now: 3, state: 'downloaded', reason: /^Downloaded/ },
    { name: 'downloaded, version unchanged after the limit', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['download', 1], ['check', 20, '4.0.7577.4420', '4.0.7577.4455']], now: 26, state: 'stuck', reason: /^Downloaded 4\.0\.7577\.4455 25 hours ago but still reports 4\.0\.7577\.4420/ },
    { name: 'updated: the next check reports the offered version', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['download', 1], ['check', 2, '4.0.7577.4455', null]], now: 100, state: 'updated', reason: /^Installed 4\.0\.7577\.4455, offered 4 days ago; first reported it 4 days ago\.$/ },
    { name: 'updated without a download we saw (another server served it)', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['check', 2, '4.0.7577.4455', null]], now: 3, state: 'updated', reason: /^Installed/ },
    { name: 'updated stays updated on later checks (first report kept)', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['check', 2, '4.0.7577.4455', null], ['check', 30, '4.0.7577.4455', null]], now: 31, state: 'updated', reason: /first reported it 29 hours ago/ },
    { name: 'offer withdrawn (rejected) before it was installed', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['check', 2, '4.0.7577.4420', null]], now: 30, state: 'up-to-date', reason: /^Runs 4\.0\.7577\.4420/ },
    { name: 'updated, then rolled back: a new offer', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['check', 2, '4.0.7577.4455', null], ['check', 5, '4.0.7577.4455', '4.0.7577.4420']], now: 6, state: 'offered', reason: /^Offered 4\.0\.7577\.4420/ },
    { name: 'a different offer replaces a pending one (and its download)', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455'], ['download', 1], ['check', 2, '4.0.7577.4420', '4.0.7577.4460']], now: 3, state: 'offered', reason: /^Offered 4\.0\.7577\.4460/ },
    { name: 'silent beats everything', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455']], now: 8 * 24 + 1, state: 'silent', reason: /^Not seen for 8 days \(more than 7\); it last reported 4\.0\.7577\.4420/ },
    { name: 'exactly at the silent limit is not silent yet', events: [['check', 0, '4.0.7577.4420', null]], now: 7 * 24, state: 'up-to-date', reason: /^Runs/ },
    { name: 'exactly at the stuck limit is not stuck yet', events: [['check', 0, '4.0.7577.4420', '4.0.7577.4455']], now: 24, state: 'offered', reason: /^Offered/ },
  ];
  for (const row of rows) {
    const s = deviceState(run(row.events), NOW(row.now), LIMITS);
    assert.equal(s.state, row.state, row.name);
    assert.match(s.reason, row.reason, row.name);
  }
});

test('phase and its start are what the stored columns hold', () => {
  const offered = run([['check', 0, '1', '2']]);
  const downloaded = applyDownload(offered, T(1));
  const updated = applyCheck(downloaded, ID, check(2, '2', null));
  const current = run([['check', 0, '1', null]]);
  assert.deepEqual(
    [offered, downloaded, updated, current].map((r) => [phaseOf(r), phaseSince(r)]),
    [['offered', T(0)], ['downloaded', T(1)], ['updated', T(2)], ['current', null]],
  );
});

test('a check keeps the first sighting and the last non-blank user; the offer folder is kept lower-cased', () => {
  const first = applyCheck(undefined, ID, check(0, '1', '2'));
  const later = applyCheck(first, ID, check(5, '1', '2', { address: '10.0.0.9', request: request({ userName: '', locale: 'DEU' }) }));
  assert.equal(later.firstSeen, T(0));
  assert.equal(later.lastSeen, T(5));
  assert.equal(later.userName, 'ann@contoso.com');
  assert.equal(later.address, '10.0.0.9');
  assert.equal(later.locale, 'DEU');
  assert.equal(later.offeredFolder, FOLDER.replace('4.0.7577.4455', '2').toLowerCase());
});

test('a download is this phone\'s only from its address, for its offered folder, before it downloaded', () => {
  const r = run([['check', 0, '1', '2']]);
  const folder = r.offeredFolder!;
  assert.equal(awaitsDownload(r, '10.0.0.5', folder), true);
  assert.equal(awaitsDownload(r, '10.0.0.6', folder), false);
  assert.equal(awaitsDownload(r, '10.0.0.5', 'ucphone/polycom/cx600/a/enu/3/cpe'), false);
  assert.equal(awaitsDownload(applyDownload(r, T(1)), '10.0.0.5', folder), false);
  assert.equal(awaitsDownload(run([['check', 0, '1', null]]), '10.0.0.5', folder), false);
});

test('blocked: nothing offered because the store lacks what the rule needs, or no rule has its locale; never when only nothing is approved', () => {
  const none = (reason: NoneReason) => ({ offers: [], reason });
  assert.equal(blockerOf(none('image-missing')), 'image-missing');
  assert.equal(blockerOf(none('interim-missing')), 'interim-missing');
  assert.equal(blockerOf(none('no-rule-for-locale')), 'no-rule-for-locale');
  for (const r of ['up-to-date', 'not-approved', 'pending-not-test-device', 'unknown-device'] as const) assert.equal(blockerOf(none(r)), null, r);

  // A phone offered a version whose image is then purged: blocked, whatever it was told before, until the image is back.
  const offered = applyCheck(undefined, ID, check(0, '4.0.7577.4420', '4.0.7577.4455'));
  const missing = applyCheck(offered, ID, check(1, '4.0.7577.4420', null, { blocker: 'image-missing' }));
  assert.equal(phaseOf(missing), 'blocked');
  const s = deviceState(missing, NOW(2), LIMITS);
  assert.equal(s.state, 'blocked');
  assert.match(s.reason, /^Runs 4\.0\.7577\.4420; its rule wants another version, but the files of that version are not in the store/);
  // An offer clears it.
  assert.equal(phaseOf(applyCheck(missing, ID, check(3, '4.0.7577.4420', '4.0.7577.4455'))), 'offered');
});
