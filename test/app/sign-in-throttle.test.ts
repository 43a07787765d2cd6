import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/server/app/app-error.js';
import { SignInThrottle } from '../../src/server/app/sign-in-throttle.js';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { startTestServer, tempDir } from '../helpers.js';

test('ten failures within 15 minutes lock the address out until the oldest one expires', () => {
  let now = 0;
  const t = new SignInThrottle(() => now);
  for (let i = 0; i < 10; i++) {
    t.check('10.0.0.1');
    t.failed('10.0.0.1');
    now += 60_000;
  }
  assert.throws(() => t.check('10.0.0.1'), (e: AppError) => e.code === 'rate_limited' && /try again in 5 minute/.test(e.message));
  t.check('10.0.0.2'); // other addresses are not affected
  now = 15 * 60_000 + 1; // the first failure has left the window
  t.check('10.0.0.1');
});

test('a successful sign-in clears the count', () => {
  const t = new SignInThrottle(() => 0);
  for (let i = 0; i < 9; i++) t.failed('a');
  t.succeeded('a');
  t.failed('a');
  t.check('a');
});

test('the admin API answers 429 after ten wrong passwords from one address, even for the right one', async () => {
  const t = await tempDir();
  const server = await startTestServer(t.dir);
  try {
    await setAdmin(server.store, 'alice', 'alice-password-1', 'admin', 'test');
    const signIn = (password: string) =>
      fetch(`${server.urls.admin}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'alice', password }) });
    for (let i = 0; i < 10; i++) assert.equal((await signIn('wrong-password')).status, 401);
    const locked = await signIn('alice-password-1');
    assert.equal(locked.status, 429);
    assert.equal(((await locked.json()) as { error: { code: string } }).error.code, 'rate_limited');
  } finally {
    await server.close();
    await t.remove();
  }
});
