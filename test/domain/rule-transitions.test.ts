import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Version } from '../../src/shared/version.js';
import type { UpdateRule } from '../../src/server/domain/device.js';
import { planRuleAction } from '../../src/server/domain/rule-transitions.js';

const v = (s: string) => s as Version;
const rule = (approved: string | null, pending: string | null, restore: string | null): UpdateRule => ({
  id: 1,
  deviceType: 'UCPhone',
  vendor: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  updateType: 'CPE',
  approved: approved as Version | null,
  pending: pending as Version | null,
  restore: restore as Version | null,
});

test('approve: Approved := Pending, Pending := none, old Approved := Restore', () => {
  const t = planRuleAction(rule('4.0.7577.4366', '4.0.7577.4387', null), 'approve', 0);
  assert.ok(t.ok);
  assert.deepEqual(t.next, { approved: v('4.0.7577.4387'), pending: null, restore: v('4.0.7577.4366') });
  assert.deepEqual(t.warnings, []);
  assert.match(t.summary, /from 4\.0\.7577\.4366 to 4\.0\.7577\.4387/);
});

test('approve a first version keeps the older restore point', () => {
  const t = planRuleAction(rule(null, '4.0.7577.4387', '4.0.7577.4000'), 'approve', 0);
  assert.ok(t.ok);
  assert.equal(t.next.restore, '4.0.7577.4000');
});

test('approve an older version warns about the downgrade', () => {
  const t = planRuleAction(rule('4.0.7577.4387', '4.0.7577.4366', null), 'approve', 0);
  assert.ok(t.ok);
  assert.match(t.warnings[0]!, /older than the approved 4\.0\.7577\.4387/);
});

test('approve or reject with nothing pending is refused', () => {
  for (const a of ['approve', 'reject'] as const) {
    const t = planRuleAction(rule('1.0.0.1', null, null), a, 0);
    assert.equal(t.ok, false);
  }
});

test('reject: Pending := none, the rest unchanged', () => {
  const t = planRuleAction(rule('4.0.7577.4366', '4.0.7577.4387', '4.0.7577.4000'), 'reject', 0);
  assert.ok(t.ok);
  assert.deepEqual(t.next, { approved: v('4.0.7577.4366'), pending: null, restore: v('4.0.7577.4000') });
});

test('roll back: Approved := Restore; nothing to roll back to is refused', () => {
  const t = planRuleAction(rule('4.0.7577.4387', null, '4.0.7577.4366'), 'rollback', 0);
  assert.ok(t.ok);
  assert.deepEqual(t.next, { approved: v('4.0.7577.4366'), pending: null, restore: null });
  assert.match(t.summary, /from 4\.0\.7577\.4387 back to 4\.0\.7577\.4366/);
  assert.equal(planRuleAction(rule('4.0.7577.4387', null, null), 'rollback', 0).ok, false);
});

test('the summary ends with how many phones of the model and locale have checked in', () => {
  const summary = (phones: number) => {
    const t = planRuleAction(rule('4.0.7577.4455', null, '4.0.7577.4420'), 'rollback', phones);
    assert.ok(t.ok);
    return t.summary;
  };
  assert.equal(summary(37), 'UCPhone/Polycom/CX600/A/ENU/CPE: phones go from 4.0.7577.4455 back to 4.0.7577.4420. About 37 phones of this model and locale have checked in.');
  assert.match(summary(1), /\. 1 phone of this model and locale has checked in\.$/);
  assert.match(summary(0), /\. No phone of this model and locale has checked in yet\.$/);
});
