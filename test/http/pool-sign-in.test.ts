// Password guessing against a pool: two servers sharing one store on a real throwaway PostgreSQL cluster, signed in
// to over their admin listeners. Failures on one node count on the other, so a balancer in front of N nodes does not
// give a guesser N times the attempts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { openStore } from '../../src/server/app/store.js';
import type { RunningServer } from '../../src/server/compose.js';
import type { ErrorBody } from '../../src/shared/errors.js';
import { startTestServer, tempDir } from '../helpers.js';
import { pgMissing, startPgCluster, type PgCluster } from '../pg-cluster.js';

const skip = pgMissing();
const MAX_FAILURES = 3;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let cluster: PgCluster;
let a: RunningServer;
let b: RunningServer;

before(async () => {
  if (skip) return;
  tmp = await tempDir('ucu-pool-sign-in-');
  cluster = await startPgCluster();
  // Set before the nodes start: the test client stands in for the balancer, so that X-Forwarded-For names the client.
  const store = await openStore(join(tmp.dir, 'setup'), { pool: cluster.url });
  await store.settings.write({ signInMaxFailures: MAX_FAILURES, adminTrustedProxies: ['127.0.0.1'] });
  await setAdmin(store, 'alice', 'alice-password-1', 'admin', 'test');
  await store.close();
  a = await startTestServer(join(tmp.dir, 'a'), { pool: cluster.url });
  b = await startTestServer(join(tmp.dir, 'b'), { pool: cluster.url });
});
after(async () => {
  if (skip) return;
  await a?.close();
  await b?.close();
  cluster?.remove();
  await tmp?.remove();
});

async function signIn(node: RunningServer, from: string, username: string, password: string): Promise<{ status: number; message: string }> {
  const r = await fetch(`${node.urls.admin}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ username, password }),
  });
  return { status: r.status, message: r.ok ? '' : ((await r.json()) as ErrorBody).error.message };
}

test('failures from an address on one node make the other refuse it, even the right password', { skip }, async () => {
  for (let i = 0; i < MAX_FAILURES; i++) assert.equal((await signIn(a, '10.1.0.1', `guess${i}`, 'wrong-password')).status, 401);
  const refused = await signIn(b, '10.1.0.1', 'alice', 'alice-password-1');
  assert.equal(refused.status, 429);
  assert.match(refused.message, /^Too many failed sign-ins from this address: try again in 15 minute\(s\)\.$/);
  assert.equal((await signIn(b, '10.1.0.2', 'alice', 'alice-password-1')).status, 200, 'other addresses are not affected');
});

test('failures for an account on both nodes add up, and lock it on both', { skip }, async () => {
  await setAdmin(a.store, 'bob', 'bob-password-1', 'admin', 'test');
  assert.equal((await signIn(a, '10.2.0.1', 'bob', 'wrong-password')).status, 401);
  assert.equal((await signIn(b, '10.2.0.2', 'bob', 'wrong-password')).status, 401);
  assert.equal((await signIn(a, '10.2.0.3', 'bob', 'wrong-password')).status, 401);
  for (const node of [a, b]) {
    const refused = await signIn(node, '10.2.0.9', 'bob', 'bob-password-1');
    assert.equal(refused.status, 429);
    assert.match(refused.message, /for this account/);
  }
});

test('a sign-in that succeeds on one node clears its address on the other', { skip }, async () => {
  for (let i = 0; i < MAX_FAILURES - 1; i++) assert.equal((await signIn(b, '10.3.0.1', `typo${i}`, 'wrong-password')).status, 401);
  assert.equal((await signIn(a, '10.3.0.1', 'alice', 'alice-password-1')).status, 200);
  for (let i = 0; i < MAX_FAILURES - 1; i++) assert.equal((await signIn(b, '10.3.0.1', `again${i}`, 'wrong-password')).status, 401);
  assert.equal((await signIn(b, '10.3.0.1', 'alice', 'alice-password-1')).status, 200);
});
