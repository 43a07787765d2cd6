// The store contract through the admin's use cases, on both engines: imports of real cabs, rule actions, purge,
// test devices, settings, accounts and sessions, and the history they leave.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findSession, hashToken, setAdmin, signIn, signOut } from '../../src/server/app/admin-auth.js';
import { AppError } from '../../src/server/app/app-error.js';
import { importPackage, type ImportKind } from '../../src/server/app/import-package.js';
import { interimOverview } from '../../src/server/app/interim-overview.js';
import { applyPurge, previewPurge } from '../../src/server/app/purge.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { updateSettings } from '../../src/server/app/settings.js';
import type { Store } from '../../src/server/app/store.js';
import type { StoreFile } from '../../src/server/app/store-contract.js';
import { addTestDevice, removeTestDevice, updateTestDevice } from '../../src/server/app/test-devices.js';
import { interimPackage, multiDevicePackage, newerPackage, olderPackage } from '../fixtures/cabs.js';
import { tempDir } from '../helpers.js';
import { acrossEngines, forEachEngine, normalise, NOW } from './engines.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
const cabs: Record<'multi' | 'newer' | 'older' | 'interim', string> = { multi: '', newer: '', older: '', interim: '' };

before(async () => {
  tmp = await tempDir('ucu-contract-cabs-');
  [cabs.multi, cabs.newer, cabs.older, cabs.interim] = await Promise.all([
    multiDevicePackage(join(tmp.dir, 'multi')),
    newerPackage(join(tmp.dir, 'newer')),
    olderPackage(join(tmp.dir, 'older')),
    interimPackage(join(tmp.dir, 'interim')),
  ]);
});
after(() => tmp?.remove());

const load = (store: Store, which: keyof typeof cabs, kind: ImportKind = 'package') =>
  importPackage(store, cabs[which], { fileName: `${which}.cab`, actor: 'alice', kind });

/** The error's code and words, for comparing what each engine refuses. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, `not an AppError: ${String(e)}`);
    return { code: e.code, message: e.message };
  }
  assert.fail('was not refused');
}

/** allStoreFiles() promises no order (the catalog maps them by path). */
const byPath = (files: StoreFile[]) => files.sort((x, y) => (x.pathKey < y.pathKey ? -1 : 1));

const ruleOf = async (store: Store, model: string, locale = 'ENU') =>
  (await store.rules.list()).find((r) => r.model === model && r.locale === locale)!;

acrossEngines('imports, approvals, a rejection, a rollback and a purge: the same answers, rules, packages, blobs and history', async (store) => {
  const out: Record<string, unknown> = {};
  out.multi = await load(store, 'multi');
  out.again = await load(store, 'multi');
  out.interim = await load(store, 'interim', 'interim');
  const cx600 = (await ruleOf(store, 'CX600')).id;
  const cx700 = (await ruleOf(store, 'CX700')).id;
  out.approve = await applyRuleAction(store, 'approve', [cx600, cx700], 'alice');
  out.approveNothingPending = await refusal(applyRuleAction(store, 'approve', [cx600], 'alice'));
  out.noSuchRule = await refusal(applyRuleAction(store, 'approve', [cx600, 999], 'alice'));
  out.newer = await load(store, 'newer');
  out.approveNewer = await applyRuleAction(store, 'approve', [cx600], 'alice');
  out.rollback = await applyRuleAction(store, 'rollback', [cx600], 'bob');
  assert.equal((await store.rules.get(cx600))!.approved, '4.0.7577.4366', 'the rollback restores the version approved before');
  out.older = await load(store, 'older');
  const deu = (await ruleOf(store, 'CX700', 'DEU')).id;
  out.reject = await applyRuleAction(store, 'reject', [deu], 'bob');
  out.rules = await store.rules.list();
  out.packages = await store.packages.list();
  out.files = byPath(await store.packages.allStoreFiles());
  out.interimOverview = await interimOverview(store);
  out.preview = await previewPurge(store);
  const purgeable = (out.preview as Awaited<ReturnType<typeof previewPurge>>).purge.map((p) => p.id);
  assert.ok(purgeable.length > 0, 'the older and the newer packages no rule offers any more');
  const kept = (await store.packages.list()).find((p) => !purgeable.includes(p.id))!.id;
  out.purgeKept = await refusal(applyPurge(store, [...purgeable, kept], 'alice'));
  out.purged = await applyPurge(store, purgeable, 'alice');
  out.afterPurge = { packages: await store.packages.list(), files: byPath(await store.packages.allStoreFiles()), referenced: await store.packages.referencedBlobs() };
  // Every referenced blob is a local file where pathOf says (a pool node's cache: local() fetches it first).
  for (const sha of await store.packages.referencedBlobs()) assert.equal(await store.blobs.local(sha), store.blobs.pathOf(sha));
  assert.ok([...(await store.packages.referencedBlobs())].every((sha) => existsSync(store.blobs.pathOf(sha))));
  out.history = await store.history.list(100);
  return normalise(out);
});

forEachEngine('test devices: a MAC or a serial (whatever its case) is one device; edits, conflicts and removal with history', async (store) => {
  const a = await addTestDevice(store, { name: 'Desk 1', mac: '00-04-f2-00-00-01', serial: 'C185Hx1' }, 'alice');
  assert.deepEqual(a, { id: a.id, name: 'Desk 1', mac: '0004F2000001', serial: 'C185Hx1', createdAt: NOW.toISOString() });
  const b = await addTestDevice(store, { name: 'Desk 2', serial: 'c185h002' }, 'alice');
  assert.ok(b.id > a.id);
  assert.deepEqual(await refusal(addTestDevice(store, { name: 'Copy', mac: '0004F2000001' }, 'alice')), {
    code: 'conflict', message: 'Test device "Desk 1" already has MAC 00-04-F2-00-00-01.',
  });
  assert.deepEqual(await refusal(addTestDevice(store, { name: 'Copy', serial: 'C185HX1' }, 'alice')), {
    code: 'conflict', message: 'Test device "Desk 1" already has serial C185HX1.',
  });
  assert.deepEqual(await refusal(updateTestDevice(store, b.id, { name: 'Desk 2', serial: 'C185HX1' }, 'alice')), {
    code: 'conflict', message: 'Test device "Desk 1" already has serial C185HX1.',
  });
  // Its own MAC and serial are no conflict for the device itself.
  const edited = await updateTestDevice(store, a.id, { name: 'Desk one', mac: '0004f2000001', serial: 'C185HX1' }, 'bob');
  assert.deepEqual(edited, { ...a, name: 'Desk one', serial: 'C185HX1' });
  assert.equal((await store.testDevices.findConflict(null, 'c185hx1'))?.id, a.id);
  assert.equal(await store.testDevices.findConflict(null, 'c185hx1', a.id), undefined);
  assert.deepEqual(await removeTestDevice(store, b.id, 'bob'), b);
  assert.deepEqual(await refusal(removeTestDevice(store, b.id, 'bob')), { code: 'not_found', message: `There is no test device with id ${b.id}.` });
  assert.equal(await store.testDevices.remove(b.id), false);
  assert.deepEqual(await store.testDevices.list(), [edited]);
  assert.deepEqual((await store.history.list(10)).map((h) => [h.action, h.target, h.actor]), [
    ['remove-test-device', 'Desk 2', 'bob'],
    ['edit-test-device', 'Desk one', 'bob'],
    ['add-test-device', 'Desk 2', 'alice'],
    ['add-test-device', 'Desk 1', 'alice'],
  ]);
});

forEachEngine('settings: changes are written and read back; a bad value is refused with nothing written', async (store) => {
  const s = await updateSettings(store, { httpPort: 8080, macNotation: 'colons', interimInclusive: false }, 'alice');
  assert.equal(s.httpPort, 8080);
  const read = await store.settings.read();
  assert.deepEqual([read.httpPort, read.macNotation, read.interimInclusive], [8080, 'colons', false]);
  const refused = await refusal(updateSettings(store, { httpPort: 8081, deviceStuckHours: 0 }, 'alice'));
  assert.equal(refused.code, 'invalid_input');
  assert.match(refused.message, /^deviceStuckHours: /);
  assert.equal((await store.settings.read()).httpPort, 8080, 'all or nothing');
  const [h] = await store.history.list(1);
  assert.deepEqual([h!.action, h!.target, h!.details], ['change-settings', 'httpPort, macNotation, interimInclusive', { httpPort: 8080, macNotation: 'colons', interimInclusive: false }]);
});

let now = NOW;
forEachEngine('accounts: sign-in, the session found until it expires or is signed out, a changed password ends sessions', async (store) => {
  await setAdmin(store, 'alice', 'correct horse battery', 'admin', 'setup');
  await store.admins.upsert({ username: 'Bob', passwordHash: 'not a hash', role: 'viewer', createdAt: NOW.toISOString() });
  assert.deepEqual(await store.admins.list(), [
    { username: 'alice', role: 'admin', createdAt: NOW.toISOString() },
    { username: 'Bob', role: 'viewer', createdAt: NOW.toISOString() },
  ], 'user names are case-insensitive, and so is their order');
  assert.equal((await store.admins.get('ALICE'))?.username, 'alice');
  const s = await signIn(store, 'alice', 'correct horse battery');
  assert.deepEqual(await findSession(store, s.token), { username: 'alice', role: 'admin', csrf: s.csrf, expiresAt: s.expiresAt });
  assert.equal(await findSession(store, 'not a token'), undefined);
  now = new Date(Date.parse(s.expiresAt) - 1);
  assert.equal((await findSession(store, s.token))?.username, 'alice');
  now = new Date(Date.parse(s.expiresAt));
  assert.equal(await findSession(store, s.token), undefined, 'expired at its expiry');
  now = NOW;
  assert.equal((await findSession(store, s.token))?.username, 'alice', 'an expired session is only removed by the next sign-in');
  // A second session (as a sign-in on another browser adds it), ended by signing out; the first stays.
  await store.admins.addSession(hashToken('second'), 'alice', 'csrf2', NOW.toISOString(), s.expiresAt);
  assert.equal((await findSession(store, 'second'))?.csrf, 'csrf2');
  await signOut(store, 'second');
  assert.equal(await findSession(store, 'second'), undefined);
  assert.equal((await findSession(store, s.token))?.username, 'alice');
  await setAdmin(store, 'alice', 'a new long password', 'viewer', 'Bob');
  assert.equal(await findSession(store, s.token), undefined, 'a changed password or role ends the sessions');
  assert.equal((await store.admins.get('alice'))!.role, 'viewer');
  assert.equal(await store.admins.remove('bob'), true);
  assert.equal(await store.admins.remove('Bob'), false);
  assert.deepEqual((await store.history.list(5)).map((h) => [h.action, h.target]), [['change-admin', 'alice'], ['add-admin', 'alice']]);
}, () => now);

forEachEngine('history: newest first, paged by the last id seen, details kept as written', async (store) => {
  for (let i = 0; i < 7; i++) await store.history.add({ at: NOW.toISOString(), actor: 'alice', action: 'note', target: `t${i}`, details: { i, nested: { ok: true, list: [1, 'two'] }, none: null } });
  const first = await store.history.list(3);
  assert.deepEqual(first.map((h) => h.target), ['t6', 't5', 't4']);
  assert.deepEqual(first[0]!.details, { i: 6, nested: { ok: true, list: [1, 'two'] }, none: null });
  const second = await store.history.list(3, first.at(-1)!.id);
  assert.deepEqual(second.map((h) => h.target), ['t3', 't2', 't1']);
  const last = await store.history.list(3, second.at(-1)!.id);
  assert.deepEqual(last.map((h) => h.target), ['t0']);
  assert.deepEqual(await store.history.list(3, last[0]!.id), []);
  assert.ok(first.every((h, i) => i === 0 || h.id < first[i - 1]!.id));
});
