// "Why": the decision engine for a phone described by hand, against a real store with a real imported package.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AppError } from '../../src/server/app/app-error.js';
import { Catalog } from '../../src/server/app/catalog.js';
import { explainPhone, listenerConnection } from '../../src/server/app/explain.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import type { Store } from '../../src/server/app/store.js';
import { addTestDevice } from '../../src/server/app/test-devices.js';
import type { ExplainInput } from '../../src/shared/admin-api.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { freshStore, tempDir } from '../helpers.js';

let fx: { dir: string; remove: () => Promise<void> };
let store: Store;
let catalog: Catalog;
const NOW = new Date('2026-12-01T10:00:00Z');
const BASE = 'http://ucupdates.contoso.com';
const explain = (input: ExplainInput) => explainPhone(catalog.current(), input, listenerConnection(BASE), NOW);
const ruleId = async (model: string, locale = 'ENU') => (await store.rules.list()).find((r) => r.model === model && r.locale === locale)!.id;

before(async () => {
  fx = await tempDir();
  store = freshStore(join(fx.dir, 'data'));
  catalog = await Catalog.load(store);
  await importPackage(store, await multiDevicePackage(join(fx.dir, 'cabs')), { fileName: 'UCUpdates.cab', actor: 'test', kind: 'package' });
});
after(async () => {
  catalog.close();
  await store.close();
  await fx.remove();
});

test('a pending version and no test device: says so, with what to do; vendor and revision are taken from the rules', () => {
  const e = explain({ model: 'cx600' });
  assert.deepEqual(e.phone, { deviceType: 'UCPhone', vendor: 'Polycom', model: 'cx600', revision: 'A', locale: 'ENU', version: '0.0.0.0', mac: '', serial: '' });
  assert.equal(e.offered, null);
  assert.equal(e.reason, 'pending-not-test-device');
  assert.equal(e.testDevice, null);
  assert.ok(e.trace.some((t) => /4\.0\.7577\.4366 is pending, not approved.*Approve it, or add the phone as a test device\./.test(t)), e.trace.join('\n'));
  assert.ok(e.notes.includes('Assumed vendor Polycom (the only one imported for cx600).'), e.notes.join('\n'));
  assert.ok(e.notes.includes('Assumed revision A (the only one imported for cx600).'));
});

test('a test device (MAC in any notation) is offered the pending version, with the URLs the phone reads', async () => {
  await addTestDevice(store, { name: 'Lab CX600', mac: '00-21-63-0f-20-7b' }, 'test');
  const e = explain({ model: 'CX600', mac: '0021.630F.207B', version: '4.0.7577.4000' });
  assert.equal(e.testDevice, 'Lab CX600');
  assert.equal(e.phone.mac, '0021630F207B');
  assert.deepEqual(e.offered, {
    version: '4.0.7577.4366',
    source: 'rule',
    baseUrl: `${BASE}/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE`,
    externalBaseUrl: `${BASE}/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE`,
    files: ['CPE.cat', 'CPE.nbt'],
  });
  assert.ok(e.notes.some((n) => /No external URL is set/.test(n)));
});

test('once approved, any phone is offered it; a phone on it is up to date', async () => {
  await applyRuleAction(store, 'approve', [await ruleId('CX600')], 'test');
  assert.equal(explain({ model: 'CX600', vendor: 'Polycom', revision: 'A', version: '4.0.7577.4000' }).offered?.version, '4.0.7577.4366');
  const current = explain({ model: 'CX600', version: '4.0.7577.4366' });
  assert.equal(current.reason, 'up-to-date');
  assert.match(current.trace.at(-1)!, /already runs 4\.0\.7577\.4366/);
});

test('no rule for the phone\'s locale: "0x0/200 but never updates", with the locales there are', () => {
  const e = explain({ model: 'CX600', locale: 'deu' });
  assert.equal(e.reason, 'no-rule-for-locale');
  assert.deepEqual(e.langList, ['ENU']);
  assert.match(e.trace.at(-1)!, /none for the phone's locale "DEU".*never updates/);
});

test('an OCPE phone below the interim build with no interim image is told to import it', async () => {
  await applyRuleAction(store, 'approve', [await ruleId('CX700')], 'test');
  const e = explain({ model: 'CX700', version: '1.0.522.73' });
  assert.equal(e.reason, 'interim-missing');
  assert.match(e.trace.at(-1)!, /ucupdates import --interim/);
});

test('an unknown model, and an invalid MAC', () => {
  const e = explain({ model: 'IP9999', vendor: 'Nobody' });
  assert.equal(e.reason, 'unknown-device');
  assert.deepEqual(e.notes.filter((n) => n.startsWith('Assumed')), []);
  assert.throws(() => explain({ model: 'CX600', mac: '00-21-63' }), (err: AppError) => err.code === 'invalid_input' && err.field === 'mac');
});
