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
  const t = planRuleAction(rule('4.0.7577.4366', '4.0.7577.4387', null), 'approve');
  assert.ok(t.ok);
  assert.deepEqual(t.next, { approved: v('4.0.7577.4387'), pending: null, restore: v('4.0.7577.4366') });
  assert.deepEqual(t.warnings, []);
  assert.match(t.summary, /from 4\.0\.7577\.4366 to 4\.0\.7577\.4387/);
});

test('approve a first version keeps the older restore point', () => {
  const t = planRuleAction(rule(null, '4.0.7577.4387', '4.0.7577.4000'), 'approve');
  assert.ok(t.ok);
  assert.equal(t.next.restore, '4.0.7577.4000');
});

test('approve an older version warns about the downgrade', () => {
  const t = planRuleAction(rule('4.0.7577.4387', '4.0.7577.4366', null), 'approve');
  assert.ok(t.ok);
  assert.match(t.warnings[0]!, /older than the approved 4\.0\.7577\.4387/);
});

test('approve or reject with nothing pending is refused', () => {
  for (const a of ['approve', 'reject'] as const) {
    const t = planRuleAction(rule('1.0.0.1', null, null), a);
    assert.equal(t.ok, false);
  }
});

test('reject: Pending := none, the rest unchanged', () => {
  const t = planRuleAction(rule('4.0.7577.4366', '4.0.7577.4387', '4.0.7577.4000'), 'reject');
  assert.ok(t.ok);
  assert.deepEqual(t.next, { approved: v('4.0.7577.4366'), pending: null, restore: v('4.0.7577.4000') });
});

test('roll back: Approved := Restore; nothing to roll back to is refused', () => {
  const t = planRuleAction(rule('4.0.7577.4387', null, '4.0.7577.4366'), 'rollback');
  assert.ok(t.ok);
  assert.deepEqual(t.next, { approved: v('4.0.7577.4366'), pending: null, restore: null });
  assert.match(t.summary, /from 4\.0\.7577\.4387 back to 4\.0\.7577\.4366/);
  assert.equal(planRuleAction(rule('4.0.7577.4387', null, null), 'rollback').ok, false);
});
