import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Version } from '../../src/shared/version.js';
import { planPurge, type PackageUse } from '../../src/server/domain/purge-plan.js';

const v = (s: string | null) => s as Version | null;
const CX600 = 'UCPhone/Polycom/CX600/A/ENU/CPE';
const pkg = (id: number, images: [string, string | null, string | null, string | null][], interimLocales: string[] = []): PackageUse => ({
  id,
  fileName: `p${id}.cab`,
  importedAt: '2026-11-01T00:00:00.000Z',
  images: images.map(([version, approved, pending, restore]) => ({
    rule: CX600,
    version: version as Version,
    ruleVersions: { approved: v(approved), pending: v(pending), restore: v(restore) },
  })),
  interimLocales,
});

const cases: { name: string; p: PackageUse; purge: boolean; reason: RegExp }[] = [
  { name: 'approved version', p: pkg(1, [['4.0.7577.4366', '4.0.7577.4366', null, null]]), purge: false, reason: /4\.0\.7577\.4366 is approved\.$/ },
  { name: 'pending version', p: pkg(1, [['4.0.7577.4387', '4.0.7577.4366', '4.0.7577.4387', null]]), purge: false, reason: /is pending\.$/ },
  { name: 'restore version', p: pkg(1, [['4.0.7577.4363', '4.0.7577.4366', null, '4.0.7577.4363']]), purge: false, reason: /is kept for roll back\.$/ },
  { name: 'zero-padded in the rule, plain in the image', p: pkg(1, [['1.0.522.73', '1.0.522.073', null, null]]), purge: false, reason: /is approved/ },
  { name: 'interim image in use', p: pkg(1, [], ['ENU', 'DEU']), purge: false, reason: /interim image served for ENU, DEU/ },
  { name: 'rejected version', p: pkg(1, [['4.0.7577.4363', '4.0.7577.4366', null, null]]), purge: true, reason: /^No rule uses 4\.0\.7577\.4363 any more\.$/ },
  { name: 'rolled-back-from version', p: pkg(1, [['4.0.7577.4387', '4.0.7577.4366', null, null]]), purge: true, reason: /4\.0\.7577\.4387/ },
  {
    name: 'one used image keeps a multi-image package',
    p: pkg(1, [['4.0.7577.4363', '4.0.7577.4366', null, null], ['4.0.7577.4366', '4.0.7577.4366', null, null]]),
    purge: false,
    reason: /4\.0\.7577\.4366 is approved/,
  },
  {
    name: 'several unused versions, listed oldest first once each',
    p: pkg(1, [['4.0.7577.4387', null, null, null], ['4.0.7577.4363', null, null, null], ['4.0.7577.4387', null, null, null]]),
    purge: true,
    reason: /^No rule uses 4\.0\.7577\.4363, 4\.0\.7577\.4387 any more\.$/,
  },
  { name: 'no images at all', p: pkg(1, []), purge: true, reason: /holds no image/ },
];

for (const c of cases) {
  test(`purge plan: ${c.name}`, () => {
    const plan = planPurge([c.p]);
    const [verdict] = c.purge ? plan.purge : plan.keep;
    assert.equal((c.purge ? plan.keep : plan.purge).length, 0);
    assert.ok(verdict, `${c.purge ? 'purged' : 'kept'}`);
    assert.equal(verdict.id, 1);
    assert.equal(verdict.fileName, 'p1.cab');
    assert.match(verdict.reason, c.reason);
  });
}

test('purge plan: each package is judged on its own, in the order given', () => {
  const plan = planPurge([pkg(3, [['4.0.7577.4363', null, null, null]]), pkg(2, [['4.0.7577.4366', '4.0.7577.4366', null, null]]), pkg(1, [])]);
  assert.deepEqual(plan.purge.map((p) => p.id), [3, 1]);
  assert.deepEqual(plan.keep.map((p) => p.id), [2]);
});
