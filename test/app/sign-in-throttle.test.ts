import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/server/app/app-error.js';
import { SignInThrottle } from '../../src/server/app/sign-in-throttle.js';

const limited = (pattern: RegExp) => (e: AppError) => e.code === 'rate_limited' && pattern.test(e.message);

test('ten failures within 15 minutes lock the address out until the oldest one expires', () => {
  let now = 0;
  const t = new SignInThrottle(() => now);
  for (let i = 0; i < 10; i++) {
    t.begin('10.0.0.1', `user${i}`, 10); // left standing: a wrong password
    now += 60_000;
  }
  assert.throws(() => t.begin('10.0.0.1', 'alice', 10), limited(/from this address: try again in 5 minute/));
  t.begin('10.0.0.2', 'alice', 10); // other addresses are not affected
  now = 15 * 60_000 + 1; // the first failure has left the window
  t.begin('10.0.0.1', 'alice', 10);
});

test('an account is locked across addresses', () => {
  const t = new SignInThrottle(() => 0);
  for (let i = 0; i < 3; i++) t.begin(`10.0.0.${i}`, 'alice', 3);
  assert.throws(() => t.begin('10.0.0.9', 'alice', 3), limited(/for this account/));
  t.begin('10.0.0.9', 'bob', 3);
});

test('an attempt counts while in flight; success clears the address, a withdrawn attempt never counted', () => {
  const t = new SignInThrottle(() => 0);
  const inFlight = [t.begin('a', 'alice', 3), t.begin('a', 'alice', 3), t.begin('a', 'alice', 3)];
  assert.throws(() => t.begin('a', 'bob', 3), limited(/address/));
  inFlight[0]!.withdrawn();
  t.begin('a', 'bob', 3).succeeded(); // the address starts afresh...
  for (let i = 0; i < 2; i++) t.begin('a', `x${i}`, 3);
  // ...while alice's two attempts still in flight count for her account
  const last = t.begin('b', 'alice', 3);
  assert.throws(() => t.begin('c', 'alice', 3), limited(/account/));
  last.succeeded();
  t.begin('c', 'alice', 3);
});

test('a full table forgets the least recently changed entry, one at a time', () => {
  const t = new SignInThrottle(() => 0, 4);
  t.begin('a', 'alice', 1); // two entries: address a, account alice
  t.begin('b', 'bob', 1); // four
  assert.throws(() => t.begin('a', 'carol', 1), limited(/address/));
  t.begin('c', 'carol', 1); // evicts address a and account alice, the oldest two
  t.begin('a', 'alice', 1);
  assert.throws(() => t.begin('c', 'dave', 1), limited(/address/), 'address c is still counted: only the oldest went');
});
