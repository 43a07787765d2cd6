// Password guessing against the admin console, as an attacker on the network would: many wrong passwords at once from
// one address, from many addresses (through a proxy the console trusts), and against one account. The throttle counts
// before hashing, hashing runs two at a time, and a phone's firmware download is not held up meanwhile.
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_PHONE, downloadOffer, simulateCheck } from '../../src/cli/phone-simulator.js';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { Store } from '../../src/server/app/store.js';
import { addTestDevice } from '../../src/server/app/test-devices.js';
import type { RunningServer } from '../../src/server/compose.js';
import type { ErrorBody } from '../../src/shared/errors.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

const MAX_FAILURES = 2;
const PHONE = { ...DEFAULT_PHONE, version: '3.5.6907.0' }; // a test device below the pending CX600 build
let tmp: { dir: string; remove: () => Promise<void> };
let server: RunningServer;

before(async () => {
  tmp = await tempDir('ucu-abuse-sign-in-');
  const dataDir = join(tmp.dir, 'data');
  const store = new Store(dataDir);
  // The test client stands in for a reverse proxy on loopback, so that X-Forwarded-For can vary the client address.
  await store.settings.write({ signInMaxFailures: MAX_FAILURES, adminTrustedProxies: ['127.0.0.1'] });
  await store.close();
  server = await startTestServer(dataDir);
  await importPackage(server.store, await multiDevicePackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  await addTestDevice(server.store, { name: 'Desk', mac: PHONE.mac }, 'test'); // test devices are offered pending versions
  await setAdmin(server.store, 'alice', 'alice-password-1', 'admin', 'test');
});
after(async () => {
  await server?.close();
  await tmp?.remove();
});

interface Outcome {
  status: number;
  message: string;
}

async function signIn(from: string, username: string, password: string): Promise<Outcome> {
  const r = await fetch(`${server.urls.admin}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ username, password }),
  });
  return { status: r.status, message: r.ok ? '' : ((await r.json()) as ErrorBody).error.message };
}

/** A phone's update check and the download of what it is offered: the times of both, and their statuses. */
async function phoneUpdate(): Promise<{ ms: number; statuses: number[] }> {
  const started = performance.now();
  const check = await simulateCheck(server.urls.http, PHONE);
  assert.equal(check.status, 200);
  const files = await downloadOffer(check.response!);
  return { ms: performance.now() - started, statuses: [check.status, ...files.map((f) => f.status)] };
}

const count = (outcomes: Outcome[], status: number, message = /./) => outcomes.filter((o) => o.status === status && message.test(o.message)).length;

/** Sends n sign-ins at once; `answered` counts those already answered, `finished` tells whether all were. */
function storm(n: number, attempt: (i: number) => Promise<Outcome>) {
  let answered = 0;
  let finished = false;
  const outcomes = Promise.all(Array.from({ length: n }, (_, i) => attempt(i).finally(() => answered++))).finally(() => (finished = true));
  return { outcomes, answered: () => answered, finished: () => finished };
}

/** While the storm's passwords are still being hashed, a phone checks and downloads its update: within a second. */
async function phoneUpdatesWhileHashing(s: ReturnType<typeof storm>, answeredBefore: number): Promise<void> {
  await eventually(() => assert.ok(s.answered() >= answeredBefore), 60_000);
  const phone = await phoneUpdate();
  assert.equal(s.finished(), false, 'the storm was over before the phone asked: this test proves nothing');
  assert.deepEqual(phone.statuses, [200, 200, 200]);
  assert.ok(phone.ms < 1000, `the phone's check and download took ${Math.round(phone.ms)} ms during the storm`);
}

test('200 wrong passwords at once from one address: at most signInMaxFailures are checked, a phone updates meanwhile', async (t) => {
  // Eight failures allowed here: four rounds of two hashes, still running when the refusals have all been answered.
  const allowed = 8;
  await updateSettings(server.store, { signInMaxFailures: allowed }, 'test');
  t.after(async () => void (await updateSettings(server.store, { signInMaxFailures: MAX_FAILURES }, 'test')));
  const s = storm(200, (i) => signIn('10.9.9.9', `guess${i}`, 'wrong-password'));
  await phoneUpdatesWhileHashing(s, 200 - allowed);
  const outcomes = await s.outcomes;
  // Only a checked password can be answered "wrong" (401): every other attempt was refused before hashing.
  assert.equal(count(outcomes, 401), allowed);
  assert.equal(count(outcomes, 429, /too many failed sign-ins from this address/i), 200 - allowed);
  // The address stays locked, even for the right password; the account is not (the guesses named other accounts).
  assert.equal((await signIn('10.9.9.9', 'alice', 'alice-password-1')).status, 429);
  assert.equal((await signIn('10.9.9.10', 'alice', 'alice-password-1')).status, 200);
});

test('200 wrong passwords at once from 200 addresses: two hashes at a time and a short queue, the rest refused at once', async () => {
  const s = storm(200, (i) => signIn(`10.8.${i >> 8}.${i & 255}`, `spray${i}`, 'wrong-password'));
  await phoneUpdatesWhileHashing(s, 200 - 30);
  const outcomes = await s.outcomes;
  const checked = count(outcomes, 401);
  const busy = count(outcomes, 429, /checking other sign-ins/);
  assert.equal(checked + busy, 200);
  // Two running and eight waiting when the flood arrives; a few more get in as slots free up while it still arrives.
  assert.ok(checked >= 10 && checked <= 30, `${checked} passwords were checked`);
  // A refusal for being busy was no guess: those addresses may still try.
  const refused = outcomes.findIndex((o) => o.status === 429);
  assert.equal((await signIn(`10.8.${refused >> 8}.${refused & 255}`, 'alice', 'alice-password-1')).status, 200);
});

test('an account is locked after signInMaxFailures wrong passwords, whichever addresses and spelling they came with', async () => {
  await setAdmin(server.store, 'dave', 'dave-password-1', 'admin', 'test');
  for (let i = 1; i <= MAX_FAILURES; i++) assert.equal((await signIn(`10.7.0.${i}`, i % 2 ? 'dave' : 'Dave', 'wrong-password')).status, 401);
  for (const name of ['dave', 'DAVE']) {
    // User names sign in without case: another spelling is the same account, not fresh guesses.
    const locked = await signIn('10.7.0.99', name, 'dave-password-1');
    assert.equal(locked.status, 429);
    assert.match(locked.message, /for this account/);
  }
  // The address itself is not locked: another account signs in from it.
  assert.equal((await signIn('10.7.0.99', 'alice', 'alice-password-1')).status, 200);
  // A made-up account is locked the same way, so a 429 does not tell which accounts exist.
  for (let i = 1; i <= MAX_FAILURES; i++) assert.equal((await signIn(`10.6.0.${i}`, 'nobody', 'wrong-password')).status, 401);
  assert.match((await signIn('10.6.0.99', 'nobody', 'wrong-password')).message, /for this account/);
});

test('a password hashed with the old parameters (N=16384, no parameters stored) still signs in and is rehashed', async () => {
  const salt = randomBytes(16);
  const legacy = `scrypt$${salt.toString('base64')}$${scryptSync('olga-password-1', salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`;
  await server.store.admins.upsert({ username: 'olga', passwordHash: legacy, role: 'viewer', createdAt: new Date().toISOString() });
  assert.equal((await signIn('10.5.0.1', 'olga', 'wrong-password')).status, 401);
  assert.equal((await server.store.admins.get('olga'))!.passwordHash, legacy, 'a wrong password changes nothing');
  assert.equal((await signIn('10.5.0.1', 'olga', 'olga-password-1')).status, 200);
  const rehashed = (await server.store.admins.get('olga'))!.passwordHash;
  assert.match(rehashed, /^scrypt\$ln=17,r=8,p=1\$/);
  assert.equal((await signIn('10.5.0.2', 'olga', 'olga-password-1')).status, 200);
  assert.equal((await signIn('10.5.0.2', 'olga', 'wrong-password')).status, 401);
  assert.equal((await server.store.admins.get('olga'))!.passwordHash, rehashed);
});
