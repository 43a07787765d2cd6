import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Version } from '../../src/shared/version.js';
import type { DeviceRequest, Image, UpdateRule } from '../../src/server/domain/device.js';
import { decideUpdate, type DecisionInput, type RuleWithImages } from '../../src/server/domain/update-decision.js';

const v = (s: string) => s as Version;
const img = (version: string): Image => ({
  version: v(version),
  files: [
    { fileName: 'CPE.cat', timestamp: '16-12-2008 04:43:58', size: 15 },
    { fileName: 'CPE.nbt', timestamp: '16-12-2008 04:43:58', size: 1000 },
  ],
});

function rule(p: Partial<UpdateRule> & { versions?: string[] } = {}): RuleWithImages {
  const { versions = [], ...r } = p;
  const full: UpdateRule = {
    id: 1,
    deviceType: 'UCPhone',
    vendor: 'LG-Nortel',
    model: 'IP8540',
    revision: 'A',
    locale: 'ENU',
    updateType: 'CPE',
    approved: null,
    pending: null,
    restore: null,
    ...r,
  };
  const all = new Set([...versions, full.approved, full.pending, full.restore].filter((x): x is Version => !!x));
  return { rule: full, images: new Map([...all].map((x) => [x, img(x)])) };
}

function phone(version: string, p: Partial<DeviceRequest> = {}): DeviceRequest {
  return {
    deviceType: 'UCPhone',
    mac: '0021630F207B',
    macRaw: '0021630F207B',
    serial: 'C185H001209',
    vendor: 'LG-Nortel',
    model: 'IP8540',
    revision: 'A',
    locale: 'ENU',
    userName: 'ruisilva@demo.local',
    requestTime: '',
    modules: [{ fileName: 'cpe.nbt', version, timestamp: '01-01-1601 00:00:00' }],
    ...p,
  };
}

function input(p: Partial<DecisionInput> & Pick<DecisionInput, 'request'>): DecisionInput {
  return {
    testDevice: null,
    rules: [],
    interim: new Map([['ENU', img('1.0.522.103')]]),
    settings: { interimThreshold: v('1.0.522.98'), interimInclusive: true, roundTableServesPending: false },
    ...p,
  };
}

const TEST = { name: 'Rui desk', matchedBy: 'mac' as const };

test('seed: an IP8540 test device at 1.0.522.34 gets the interim build, then 3.5.6907.0', () => {
  const rules = [rule({ pending: v('3.5.6907.0') })];
  const first = decideUpdate(input({ request: phone('1.0.522.34'), testDevice: TEST, rules }));
  assert.equal(first.offers.length, 1);
  assert.equal(first.offers[0]!.source, 'interim');
  assert.equal(first.offers[0]!.version, '1.0.522.103');
  assert.equal(first.offers[0]!.folder, 'OCInterim/ENU');
  assert.match(first.trace.join(' '), /interim build 1\.0\.522\.103 first, then 3\.5\.6907\.0/);

  const second = decideUpdate(input({ request: phone('1.0.522.103'), testDevice: TEST, rules }));
  assert.equal(second.offers[0]!.source, 'rule');
  assert.equal(second.offers[0]!.version, '3.5.6907.0');
  assert.equal(second.offers[0]!.folder, 'UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE');

  const third = decideUpdate(input({ request: phone('3.5.6907.0'), testDevice: TEST, rules }));
  assert.deepEqual(third.offers, []);
  assert.equal(third.reason, 'up-to-date');
});

test('seed: a phone that never updated (0.0.0.0) gets the interim build', () => {
  const d = decideUpdate(input({ request: phone('0.0.0.0'), rules: [rule({ approved: v('3.5.6907.0') })] }));
  assert.equal(d.offers[0]?.source, 'interim');
});

test('seed: a phone whose locale has no files gets nothing while LangList lists what exists', () => {
  const rules = [rule({ id: 1, locale: 'DEU', approved: v('3.5.6907.0') }), rule({ id: 2, locale: 'NLD', approved: v('3.5.6907.0') })];
  const d = decideUpdate(input({ request: phone('1.0.522.103'), testDevice: TEST, rules }));
  assert.deepEqual(d.offers, []);
  assert.equal(d.reason, 'no-rule-for-locale');
  assert.deepEqual(d.langList, ['DEU', 'NLD']);
  assert.match(d.trace.join(' '), /none for the phone's locale "ENU"/);
});

test('seed: a rolled-back rule offers the older version', () => {
  const rules = [rule({ approved: v('4.0.7577.4366'), versions: ['4.0.7577.4387'] })];
  const d = decideUpdate(input({ request: phone('4.0.7577.4387'), rules }));
  assert.equal(d.offers[0]?.version, '4.0.7577.4366');
  assert.match(d.trace.join(' '), /a rollback/);
});

test('a test device gets pending; another phone gets approved', () => {
  const rules = [rule({ approved: v('4.0.7577.4366'), pending: v('4.0.7577.4387') })];
  assert.equal(decideUpdate(input({ request: phone('4.0.7577.4366'), testDevice: TEST, rules })).offers[0]?.version, '4.0.7577.4387');
  const other = decideUpdate(input({ request: phone('4.0.7577.4366'), rules }));
  assert.equal(other.reason, 'up-to-date');
});

test('a test device with no pending version gets the approved one', () => {
  const d = decideUpdate(input({ request: phone('4.0.7577.4300'), testDevice: TEST, rules: [rule({ approved: v('4.0.7577.4366') })] }));
  assert.equal(d.offers[0]?.version, '4.0.7577.4366');
});

test('pending only and not a test device: nothing, and the trace says what to do', () => {
  const d = decideUpdate(input({ request: phone('4.0.7577.4300'), rules: [rule({ pending: v('4.0.7577.4366') })] }));
  assert.equal(d.reason, 'pending-not-test-device');
  assert.match(d.trace.join(' '), /Approve it, or add the phone as a test device/);
});

test('no version approved at all', () => {
  const d = decideUpdate(input({ request: phone('4.0.7577.4300'), rules: [rule({ restore: v('4.0.7577.4000') })] }));
  assert.equal(d.reason, 'not-approved');
});

test('an unknown model gets nothing, with an empty LangList', () => {
  const d = decideUpdate(input({ request: phone('1.0.0.0', { model: 'CX9999' }), rules: [] }));
  assert.equal(d.reason, 'unknown-device');
  assert.deepEqual(d.langList, []);
});

test('locale, module and update type match case-insensitively', () => {
  const d = decideUpdate(
    input({
      request: phone('x', { locale: 'enu', modules: [{ fileName: 'CPE.NBT', version: '4.0.7577.1', timestamp: '' }] }),
      rules: [rule({ approved: v('4.0.7577.4366') })],
    }),
  );
  assert.equal(d.offers[0]?.installed, '4.0.7577.1');
});

test('an unreadable or missing module version counts as never updated', () => {
  const rules = [rule({ approved: v('4.0.7577.4366') })];
  const garbled = decideUpdate(input({ request: phone('four'), rules }));
  assert.equal(garbled.offers[0]?.installed, '0.0.0.0');
  assert.match(garbled.trace.join(' '), /unreadable version "four"/);
  const none = decideUpdate(input({ request: phone('', { modules: [] }), rules }));
  assert.equal(none.offers[0]?.installed, '0.0.0.0');
});

test('zero-padded versions compare by value (1.0.522.073 is 1.0.522.73)', () => {
  const d = decideUpdate(input({ request: phone('4.0.7577.04366'), rules: [rule({ approved: v('4.0.7577.4366') })] }));
  assert.equal(d.reason, 'up-to-date');
});

test('interim threshold: at or below by default, strictly below when set', () => {
  const rules = [rule({ approved: v('3.5.6907.0') })];
  assert.equal(decideUpdate(input({ request: phone('1.0.522.98'), rules })).offers[0]?.source, 'interim');
  assert.equal(decideUpdate(input({ request: phone('1.0.522.99'), rules })).offers[0]?.source, 'rule');
  const strict = input({ request: phone('1.0.522.98'), rules });
  strict.settings = { ...strict.settings, interimInclusive: false };
  assert.equal(decideUpdate(strict).offers[0]?.source, 'rule');
});

test('no interim step when the target itself is an OCS 2007 build', () => {
  const d = decideUpdate(input({ request: phone('1.0.522.34'), rules: [rule({ approved: v('1.0.522.101') })] }));
  assert.equal(d.offers[0]?.source, 'rule');
  assert.equal(d.offers[0]?.version, '1.0.522.101');
});

test('interim needed but not supplied for the locale: nothing, and the trace says how to fix it', () => {
  const i = input({ request: phone('1.0.522.34'), rules: [rule({ approved: v('3.5.6907.0') })] });
  i.interim = new Map();
  const d = decideUpdate(i);
  assert.equal(d.reason, 'interim-missing');
  assert.match(d.trace.join(' '), /import --interim/);
});

test('the interim step applies to UCPhone only', () => {
  const d = decideUpdate(
    input({
      request: phone('1.0.0.1', { deviceType: 'RoundTable', vendor: 'Microsoft', model: 'RoundTable' }),
      rules: [rule({ deviceType: 'RoundTable', vendor: 'Microsoft', model: 'RoundTable', approved: v('3.0.0.1') })],
    }),
  );
  assert.equal(d.offers[0]?.source, 'rule');
});

test('RoundTable: pending served before approval only when the setting is on', () => {
  const rt = { deviceType: 'RoundTable', vendor: 'Microsoft', model: 'RoundTable' };
  const rules = [rule({ ...rt, pending: v('3.0.0.2') })];
  const off = decideUpdate(input({ request: phone('3.0.0.1', rt), rules }));
  assert.equal(off.reason, 'pending-not-test-device');
  const i = input({ request: phone('3.0.0.1', rt), rules });
  i.settings = { ...i.settings, roundTableServesPending: true };
  assert.equal(decideUpdate(i).offers[0]?.version, '3.0.0.2');
  // ...but never for UCPhone
  const uc = input({ request: phone('4.0.0.1'), rules: [rule({ pending: v('4.0.0.2') })] });
  uc.settings = { ...uc.settings, roundTableServesPending: true };
  assert.equal(decideUpdate(uc).reason, 'pending-not-test-device');
});

test('an approved version whose files are missing from the store is not offered', () => {
  const r = rule({ approved: v('4.0.7577.4366') });
  const d = decideUpdate(input({ request: phone('4.0.7577.4000'), rules: [{ rule: r.rule, images: new Map() }] }));
  assert.equal(d.reason, 'image-missing');
});

test('the trace names the test device match', () => {
  const d = decideUpdate(input({ request: phone('1.0.522.103'), testDevice: { name: 'Lab', matchedBy: 'serial' }, rules: [rule({ pending: v('3.5.6907.0') })] }));
  assert.match(d.trace[0]!, /test device "Lab" \(matched by serial number\)/);
});
