// The admin API on a real server (real listeners on loopback, a real SQLite store in a temp folder, real cabs built
// by gcab), called with fetch as the console does: authentication, CSRF, roles, rules, uploads, test devices,
// settings and history.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type {
  HistoryDto,
  ImportJobDto,
  ExplanationDto,
  PackageDto,
  PreflightDto,
  PurgePreviewDto,
  PurgeResultDto,
  RuleChangeDto,
  RuleDto,
  ServerStatusDto,
  SessionInfo,
  TestDeviceDto,
} from '../../src/shared/admin-api.js';
import type { ErrorBody } from '../../src/shared/errors.js';
import type { Settings } from '../../src/shared/settings.js';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { startServer, type RunningServer } from '../../src/server/compose.js';
import type { SqliteEngine } from '../../src/server/infra/db/engine.js';
import { fixtureBytes, MULTI_IMAGES, multiDevicePackage, olderPackage } from '../fixtures/cabs.js';
import { startTestServer } from '../helpers.js';
import { APP_VERSION } from '../../src/server/version.js';

const ADMIN = { username: 'alice', password: 'alice-password-1' };
const VIEWER = { username: 'victor', password: 'victor-password-1' };

let tmp: string;
let server: RunningServer;
let multiCab: Buffer;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ucu-admin-api-'));
  const { readFile } = await import('node:fs/promises');
  multiCab = await readFile(await multiDevicePackage(join(tmp, 'cabs')));
  server = await startTestServer(join(tmp, 'data'));
  await setAdmin(server.store, ADMIN.username, ADMIN.password, 'admin', 'test');
  await setAdmin(server.store, VIEWER.username, VIEWER.password, 'viewer', 'test');
});

after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

// ---- a tiny client ----

interface Auth {
  cookie?: string;
  csrf?: string;
  bearer?: string;
}

interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function call<T = unknown>(
  method: string,
  path: string,
  opts: { auth?: Auth; json?: unknown; raw?: string | Buffer | ReadableStream<Uint8Array>; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth?.cookie) headers.cookie = opts.auth.cookie;
  if (opts.auth?.csrf) headers['x-csrf-token'] = opts.auth.csrf;
  if (opts.auth?.bearer) headers.authorization = `Bearer ${opts.auth.bearer}`;
  let body: RequestInit['body'];
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.raw !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/octet-stream';
    body = opts.raw as RequestInit['body'];
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers, body };
  if (opts.raw instanceof ReadableStream) init.duplex = 'half';
  const res = await fetch(`${server.urls.admin}/api${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Asserts the one error envelope and returns it. */
function assertError(r: Reply, status: number, code: string): ErrorBody['error'] {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  const body = r.body as ErrorBody;
  assert.equal(typeof body, 'object', `expected a JSON envelope, got ${JSON.stringify(r.body)}`);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 5, 'the message is a sentence');
  return body.error;
}

function sessionCookie(r: Reply): { cookie: string; header: string } {
  const header = r.headers.get('set-cookie');
  assert.ok(header, 'a Set-Cookie header');
  const m = /^(ucu_session=[^;]+)/.exec(header);
  assert.ok(m, `a session cookie in ${header}`);
  return { cookie: m[1]!, header };
}

async function signIn(user: { username: string; password: string }): Promise<Auth & SessionInfo> {
  const r = await call<SessionInfo>('POST', '/session', { json: user });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { ...r.body, cookie: sessionCookie(r).cookie, csrf: r.body.csrf };
}

async function waitForJob(id: string, auth: Auth): Promise<ImportJobDto> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await call<ImportJobDto>('GET', `/imports/${id}`, { auth });
    assert.equal(r.status, 200);
    if (r.body.phase === 'done' || r.body.phase === 'failed') return r.body;
    if (Date.now() > deadline) assert.fail(`import ${id} did not finish: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const stagingEntries = () => readdir(server.store.paths.stagingDir);

// ---- tests ----

describe('authentication', () => {
  const PROTECTED: [string, string, unknown?][] = [
    ['GET', '/session'],
    ['DELETE', '/session'],
    ['GET', '/rules'],
    ['POST', '/rules/approve/preview', { ids: [1] }],
    ['POST', '/rules/approve', { ids: [1] }],
    ['POST', '/rules/reject', { ids: [1] }],
    ['POST', '/rules/rollback', { ids: [1] }],
    ['GET', '/test-devices'],
    ['POST', '/test-devices', { name: 'x', mac: '0021630F207B' }],
    ['PUT', '/test-devices/1', { name: 'x', mac: '0021630F207B' }],
    ['DELETE', '/test-devices/1'],
    ['GET', '/settings'],
    ['PUT', '/settings', { httpPort: 81 }],
    ['GET', '/history'],
    ['GET', '/packages'],
    ['POST', '/packages'],
    ['GET', '/imports'],
    ['GET', '/status'],
    ['GET', '/explain?model=CX600'],
    ['GET', '/purge'],
    ['POST', '/purge', { ids: [1] }],
    ['GET', '/imports/abc'],
    ['GET', '/nope'],
  ];

  it('answers 401 with the error envelope on every protected route when not signed in', async () => {
    for (const [method, path, json] of PROTECTED) {
      const r = await call(method, path, json === undefined ? {} : { json });
      const e = assertError(r, 401, 'unauthenticated');
      assert.match(e.message, /sign in/i, `${method} ${path}`);
    }
    // An unknown bearer token and an unknown session cookie are nobody, too.
    assertError(await call('GET', '/rules', { auth: { bearer: 'not-the-launch-token' } }), 401, 'unauthenticated');
    assertError(await call('GET', '/rules', { auth: { cookie: 'ucu_session=forged' } }), 401, 'unauthenticated');
    // Nothing was changed by the refused writes.
    assert.deepEqual((await server.store.settings.read()).httpPort, 80);
    assert.deepEqual(await server.store.testDevices.list(), []);
    assert.deepEqual(await stagingEntries(), []);
  });

  it('answers the health check without signing in', async () => {
    const r = await call<{ ok: boolean }>('GET', '/health');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { ok: true });
  });

  it('a malformed session cookie is nobody (401), not a server error', async () => {
    assertError(await call('GET', '/rules', { auth: { cookie: 'ucu_session=%E0%A4%A' } }), 401, 'unauthenticated');
  });

  it('signs in with an account: an HttpOnly, SameSite=Strict session cookie and a CSRF token', async () => {
    const r = await call<SessionInfo>('POST', '/session', { json: ADMIN });
    assert.equal(r.status, 200);
    assert.equal(r.body.username, ADMIN.username);
    assert.equal(r.body.role, 'admin');
    assert.ok(r.body.csrf.length >= 20);
    const { cookie, header } = sessionCookie(r);
    assert.match(header, /;\s*HttpOnly/i);
    assert.match(header, /;\s*SameSite=Strict/i);
    assert.match(header, /;\s*Path=\//);
    assert.doesNotMatch(header, /Secure/, 'plain HTTP on loopback: no Secure flag');
    const me = await call<SessionInfo>('GET', '/session', { auth: { cookie } });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { username: ADMIN.username, role: 'admin', csrf: r.body.csrf });
    assert.equal((await call('GET', '/rules', { auth: { cookie } })).status, 200);
  });

  it('refuses a wrong password and an unknown user with the same 401 message', async () => {
    const wrong = assertError(await call('POST', '/session', { json: { ...ADMIN, password: 'not-her-password' } }), 401, 'unauthenticated');
    const unknown = assertError(await call('POST', '/session', { json: { username: 'mallory', password: 'whatever-123' } }), 401, 'unauthenticated');
    assert.equal(wrong.message, unknown.message);
    assert.doesNotMatch(wrong.message, /alice|mallory/);
    const r = await call('POST', '/session', { json: { ...ADMIN, password: 'not-her-password' } });
    assert.equal(r.headers.get('set-cookie'), null, 'no cookie for a failed sign-in');
    const missing = assertError(await call('POST', '/session', { json: { username: 'alice' } }), 400, 'invalid_input');
    assert.equal(missing.field, 'password');
  });

  it('refuses a change made with the cookie but without, or with a wrong, X-CSRF-Token (403)', async () => {
    const s = await signIn(ADMIN);
    const without = assertError(await call('PUT', '/settings', { auth: { cookie: s.cookie }, json: { serverName: 'csrf1' } }), 403, 'forbidden');
    assert.match(without.message, /CSRF/);
    assertError(await call('PUT', '/settings', { auth: { cookie: s.cookie, csrf: 'wrong' }, json: { serverName: 'csrf2' } }), 403, 'forbidden');
    // Another session's token is wrong too.
    const other = await signIn(ADMIN);
    assertError(await call('PUT', '/settings', { auth: { cookie: s.cookie, csrf: other.csrf }, json: { serverName: 'csrf3' } }), 403, 'forbidden');
    assert.equal((await server.store.settings.read()).serverName, '');
    const ok = await call<Settings>('PUT', '/settings', { auth: s, json: { serverName: 'csrf-ok' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.serverName, 'csrf-ok');
    await call('PUT', '/settings', { auth: s, json: { serverName: '' } });
  });

  it('lets a viewer read but not change anything (403)', async () => {
    const v = await signIn(VIEWER);
    assert.equal(v.role, 'viewer');
    for (const path of ['/rules', '/test-devices', '/settings', '/history', '/packages', '/imports']) {
      assert.equal((await call('GET', path, { auth: v })).status, 200, path);
    }
    const e = assertError(await call('POST', '/test-devices', { auth: v, json: { name: 'Desk', mac: '001122334455' } }), 403, 'forbidden');
    assert.match(e.message, /view/);
    assertError(await call('PUT', '/settings', { auth: v, json: { serverName: 'viewer' } }), 403, 'forbidden');
    assertError(await call('POST', '/rules/approve', { auth: v, json: { ids: [1] } }), 403, 'forbidden');
    assertError(await call('POST', '/packages?name=x.cab', { auth: v, raw: Buffer.from('abc') }), 403, 'forbidden');
    assert.deepEqual(await server.store.testDevices.list(), []);
    assert.equal((await server.store.settings.read()).serverName, '');
    // A viewer can still sign out (her own session).
    assert.equal((await call('DELETE', '/session', { auth: v })).status, 204);
  });

  it('accepts the launch token as a bearer from loopback, without CSRF', async () => {
    const auth = { bearer: server.local.launchToken };
    const me = await call<SessionInfo>('GET', '/session', { auth });
    assert.equal(me.status, 200);
    assert.equal(me.body.role, 'admin');
    assert.equal(me.body.username, 'desktop');
    const r = await call<Settings>('PUT', '/settings', { auth, json: { serverName: 'DESKTOP-1' } });
    assert.equal(r.status, 200);
    assert.equal((await server.store.settings.read()).serverName, 'DESKTOP-1');
    await call('PUT', '/settings', { auth, json: { serverName: '' } });
  });

  it('exchanges a one-time sign-in link token once', async () => {
    const link = server.signInLink();
    const m = /#signin=(.+)$/.exec(link);
    assert.ok(m, link);
    assert.ok(link.startsWith('http://127.0.0.1:'));
    const token = m[1]!;
    const r = await call<SessionInfo>('POST', '/session/exchange', { json: { token } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.role, 'admin');
    const { cookie, header } = sessionCookie(r);
    assert.match(header, /HttpOnly/);
    assert.match(header, /SameSite=Strict/);
    const me = await call<SessionInfo>('GET', '/session', { auth: { cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, r.body.username);
    // The session can change things with its CSRF token.
    assert.equal((await call('PUT', '/settings', { auth: { cookie, csrf: r.body.csrf }, json: { serverName: '' } })).status, 200);
    const again = assertError(await call('POST', '/session/exchange', { json: { token } }), 401, 'unauthenticated');
    assert.match(again.message, /already used|expired/);
    assertError(await call('POST', '/session/exchange', { json: { token: 'made-up' } }), 401, 'unauthenticated');
    assertError(await call('POST', '/session/exchange', { json: {} }), 400, 'invalid_input');
    // Signing out ends the link's session too.
    assert.equal((await call('DELETE', '/session', { auth: { cookie, csrf: r.body.csrf } })).status, 204);
    assertError(await call('GET', '/session', { auth: { cookie } }), 401, 'unauthenticated');
  });

  it('refuses the launch token and sign-in links from a non-loopback address; accounts still work', async (t) => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!address) return t.skip('this machine has no non-loopback IPv4 address');
    const remote = await startServer({
      dataDir: join(tmp, 'data-remote'),
      overrides: { httpPort: 0, httpsPort: 0, adminPort: 0, adminHost: address },
      log: pino({ level: 'silent' }),
    });
    try {
      const base = `${remote.urls.admin}/api`;
      assert.ok(base.includes(address), base);
      const bearer = await fetch(`${base}/rules`, { headers: { authorization: `Bearer ${remote.local.launchToken}` } });
      assert.equal(bearer.status, 401);
      assert.equal(((await bearer.json()) as ErrorBody).error.code, 'unauthenticated');
      const token = /#signin=(.+)$/.exec(remote.signInLink())![1]!;
      const exchange = await fetch(`${base}/session/exchange`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      assert.equal(exchange.status, 401);
      assert.equal(exchange.headers.get('set-cookie'), null);
      await setAdmin(remote.store, ADMIN.username, ADMIN.password, 'admin', 'test');
      const signIn = await fetch(`${base}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
      assert.equal(signIn.status, 200);
    } finally {
      await remote.close();
    }
  });

  it('sign-out invalidates the cookie and clears it', async () => {
    const s = await signIn(ADMIN);
    const other = await signIn(ADMIN);
    assertError(await call('DELETE', '/session', { auth: { cookie: s.cookie } }), 403, 'forbidden');
    const r = await call('DELETE', '/session', { auth: s });
    assert.equal(r.status, 204);
    assert.match(r.headers.get('set-cookie') ?? '', /^ucu_session=;.*Max-Age=0/);
    assertError(await call('GET', '/session', { auth: { cookie: s.cookie } }), 401, 'unauthenticated');
    assertError(await call('GET', '/rules', { auth: { cookie: s.cookie } }), 401, 'unauthenticated');
    assertError(await call('PUT', '/settings', { auth: s, json: { serverName: 'after-signout' } }), 401, 'unauthenticated');
    // Only that session ended.
    assert.equal((await call('GET', '/session', { auth: { cookie: other.cookie } })).status, 200);
  });
});

describe('packages and rules', () => {
  let admin: Auth & SessionInfo;
  let rules: RuleDto[];
  before(async () => {
    admin = await signIn(ADMIN);
  });

  it('imports an uploaded multi-device cab as a job: four pending images', async () => {
    const r = await call<ImportJobDto>('POST', '/packages?name=UCUpdates.cab', { auth: admin, raw: multiCab });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(typeof r.body.id, 'string');
    assert.equal(r.body.fileName, 'UCUpdates.cab');
    const job = await waitForJob(r.body.id, admin);
    assert.equal(job.phase, 'done', JSON.stringify(job.error));
    assert.ok(job.summary);
    assert.equal(job.summary.alreadyImported, false);
    assert.equal(job.summary.images.length, 4);
    assert.deepEqual(
      job.summary.images.map((i) => `${i.rule} ${i.version} ${i.outcome}`).sort(),
      MULTI_IMAGES.map((f) => {
        const p = f.split('/');
        return `${[...p.slice(0, 5), p[6]].join('/')} ${p[5]} pending`;
      }).sort(),
    );
    const list = await call<ImportJobDto[]>('GET', '/imports', { auth: admin });
    assert.ok(list.body.some((j) => j.id === r.body.id && j.phase === 'done'));
    const packages = await call<{ fileName: string; importedBy: string; fileCount: number }[]>('GET', '/packages', { auth: admin });
    assert.equal(packages.body.length, 1);
    assert.equal(packages.body[0]!.fileName, 'UCUpdates.cab');
    assert.equal(packages.body[0]!.importedBy, ADMIN.username);
    assert.deepEqual(await stagingEntries(), [], 'the upload is removed from staging once imported');
  });

  it('lists the rules with their pending versions', async () => {
    const r = await call<RuleDto[]>('GET', '/rules', { auth: admin });
    assert.equal(r.status, 200);
    rules = r.body;
    assert.equal(rules.length, 4);
    for (const rule of rules) {
      assert.equal(rule.approved, null);
      assert.match(rule.pending ?? '', /^\d+\.\d+\.\d+\.\d+$/);
      assert.deepEqual(rule.versions, [rule.pending]);
    }
    assert.ok(rules.some((x) => x.model === 'CX600' && x.pending === '4.0.7577.4366'));
  });

  it('previews an approval without changing anything', async () => {
    const ids = rules.map((r) => r.id);
    const r = await call<RuleChangeDto[]>('POST', '/rules/approve/preview', { auth: admin, json: { ids } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.length, 4);
    for (const c of r.body) {
      assert.equal(c.after.approved, c.before.pending);
      assert.equal(c.after.pending, null);
      assert.match(c.summary, /phones get/);
    }
    const now = await call<RuleDto[]>('GET', '/rules', { auth: admin });
    assert.deepEqual(now.body, rules);
  });

  it('approves rules and answers the list of changes', async () => {
    const cx600 = rules.find((x) => x.model === 'CX600')!;
    const cx700 = rules.find((x) => x.model === 'CX700' && x.locale === 'ENU')!;
    const r = await call<RuleChangeDto[]>('POST', '/rules/approve', { auth: admin, json: { ids: [cx600.id, cx700.id] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.map((c) => [c.ruleId, c.rule, c.after.approved, c.after.pending]),
      [
        [cx600.id, 'UCPhone/Polycom/CX600/A/ENU/CPE', '4.0.7577.4366', null],
        [cx700.id, 'UCPhone/Polycom/CX700/A/ENU/CPE', '3.5.6907.0', null],
      ],
    );
    const after = await call<RuleDto[]>('GET', '/rules', { auth: admin });
    assert.equal(after.body.find((x) => x.id === cx600.id)!.approved, '4.0.7577.4366');
    assert.equal(after.body.find((x) => x.id === cx600.id)!.pending, null);
    // The other two are untouched.
    assert.equal(after.body.filter((x) => x.pending !== null).length, 2);
  });

  it('refuses to approve a rule with nothing pending (409), changing nothing', async () => {
    const cx600 = rules.find((x) => x.model === 'CX600')!;
    const pendingOne = rules.find((x) => x.model === 'IP8540')!;
    const e = assertError(await call('POST', '/rules/approve', { auth: admin, json: { ids: [pendingOne.id, cx600.id] } }), 409, 'conflict');
    assert.match(e.message, /UCPhone\/Polycom\/CX600\/A\/ENU\/CPE has no pending version to approve/);
    // All or nothing: the IP8540 is still pending.
    assert.equal((await server.store.rules.get(pendingOne.id))!.pending, '3.5.6907.0');
    assert.equal((await server.store.rules.get(pendingOne.id))!.approved, null);
    assertError(await call('POST', '/rules/rollback', { auth: admin, json: { ids: [cx600.id] } }), 409, 'conflict');
  });

  it('answers 404 for an unknown rule id', async () => {
    const e = assertError(await call('POST', '/rules/approve', { auth: admin, json: { ids: [99999] } }), 404, 'not_found');
    assert.match(e.message, /99999/);
    assertError(await call('POST', '/rules/reject/preview', { auth: admin, json: { ids: [99999] } }), 404, 'not_found');
  });

  it('answers 400 naming the field for a bad body, a bad action and invalid JSON', async () => {
    const bad = assertError(await call('POST', '/rules/approve', { auth: admin, json: { ids: 'x' } }), 400, 'invalid_input');
    assert.equal(bad.field, 'ids');
    assert.match(bad.message, /^ids: /);
    assertError(await call('POST', '/rules/approve', { auth: admin, json: { ids: [] } }), 400, 'invalid_input');
    assertError(await call('POST', '/rules/approve', { auth: admin, json: { ids: [-1] } }), 400, 'invalid_input');
    assertError(await call('POST', '/rules/approve', { auth: admin, json: {} }), 400, 'invalid_input');
    assertError(await call('POST', '/rules/promote', { auth: admin, json: { ids: [1] } }), 400, 'invalid_input');
    const json = assertError(
      await call('POST', '/rules/approve', { auth: admin, raw: '{"ids": [1', contentType: 'application/json' }),
      400,
      'invalid_input',
    );
    assert.match(json.message, /JSON/);
    assert.equal((await server.store.rules.list()).filter((x) => x.pending !== null).length, 2, 'nothing changed');
  });

  it('rejects and rolls back through the API', async () => {
    const ip8540 = rules.find((x) => x.model === 'IP8540')!;
    const rej = await call<RuleChangeDto[]>('POST', '/rules/reject', { auth: admin, json: { ids: [ip8540.id] } });
    assert.equal(rej.status, 200, JSON.stringify(rej.body));
    assert.equal((await server.store.rules.get(ip8540.id))!.pending, null);
    assertError(await call('POST', '/rules/reject', { auth: admin, json: { ids: [ip8540.id] } }), 409, 'conflict');
  });

  it('fails the job of a garbage upload with invalid_package, storing no package', async () => {
    const before = (await server.store.packages.list()).length;
    const r = await call<ImportJobDto>('POST', '/packages?name=garbage.cab', { auth: admin, raw: fixtureBytes('garbage', 50_000) });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const job = await waitForJob(r.body.id, admin);
    assert.equal(job.phase, 'failed');
    assert.equal(job.error?.code, 'invalid_package');
    assert.ok((job.error?.message ?? '').length > 5);
    assert.equal(job.summary, undefined);
    assert.equal((await server.store.packages.list()).length, before);
    assert.equal((await server.store.packages.list()).some((p) => p.fileName === 'garbage.cab'), false);
    assert.deepEqual(await stagingEntries(), []);
  });

  it('has removed the upload from staging by the moment its job is seen finished, failed or done', async () => {
    for (const [name, raw] of [['garbage2.cab', fixtureBytes('garbage', 60_000)], ['again2.cab', multiCab]] as const) {
      const r = await call<ImportJobDto>('POST', `/packages?name=${name}`, { auth: admin, raw });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      // Looked at every turn of the event loop: the first moment the job says it is finished.
      let job = server.jobs.get(r.body.id);
      while (job?.phase !== 'failed' && job?.phase !== 'done') {
        await new Promise((resolve) => setImmediate(resolve));
        job = server.jobs.get(r.body.id);
      }
      assert.deepEqual(await stagingEntries(), [], `${name}: ${job.phase}, and nothing left in staging`);
    }
  });

  it('re-uploading the same package changes nothing', async () => {
    const r = await call<ImportJobDto>('POST', '/packages?name=again.cab', { auth: admin, raw: multiCab });
    const job = await waitForJob(r.body.id, admin);
    assert.equal(job.phase, 'done');
    assert.equal(job.summary?.alreadyImported, true);
    assert.equal((await server.store.packages.list()).length, 1);
  });

  it('refuses an empty upload (400)', async () => {
    const e = assertError(await call('POST', '/packages?name=empty.cab', { auth: admin, raw: Buffer.alloc(0) }), 400, 'invalid_input');
    assert.match(e.message, /empty/);
    assert.deepEqual(await stagingEntries(), []);
  });

  it('refuses an upload larger than maxPackageMB (413), leaving nothing in staging', async () => {
    const set = await call<Settings>('PUT', '/settings', { auth: admin, json: { maxPackageMB: 1 } });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.maxPackageMB, 1);
    const big = fixtureBytes('big', 2 * 1024 * 1024);
    const declared = assertError(await call('POST', '/packages?name=big.cab', { auth: admin, raw: big }), 413, 'too_large');
    assert.match(declared.message, /1 MB/);
    assert.deepEqual(await stagingEntries(), []);
    assert.equal((await server.store.packages.list()).length, 1);
  });

  it('refuses a streamed (chunked, no Content-Length) upload larger than maxPackageMB (413), leaving nothing in staging', async () => {
    assert.equal((await server.store.settings.read()).maxPackageMB, 1);
    const chunk = fixtureBytes('chunk', 64 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      },
    });
    const r = await call('POST', '/packages?name=streamed.cab', { auth: admin, raw: stream });
    assertError(r, 413, 'too_large');
    // The partial upload is removed (the handler awaits the rm before answering).
    assert.deepEqual(await stagingEntries(), []);
    assert.equal((await server.store.packages.list()).length, 1);
    // The server still answers afterwards.
    assert.equal((await call('GET', '/health')).status, 200);
    await call('PUT', '/settings', { auth: admin, json: { maxPackageMB: 2048 } });
  });
});

describe('test devices', () => {
  let admin: Auth & SessionInfo;
  let device: TestDeviceDto;
  before(async () => {
    admin = await signIn(ADMIN);
  });

  it('refuses an invalid MAC (400, field mac)', async () => {
    const e = assertError(await call('POST', '/test-devices', { auth: admin, json: { name: 'Desk 12', mac: 'zz' } }), 400, 'invalid_input');
    assert.equal(e.field, 'mac');
    assert.match(e.message, /not a MAC address/);
    const none = assertError(await call('POST', '/test-devices', { auth: admin, json: { name: 'Desk 12' } }), 400, 'invalid_input');
    assert.equal(none.field, 'mac');
    const noName = assertError(await call('POST', '/test-devices', { auth: admin, json: { name: '  ', mac: '001122334455' } }), 400, 'invalid_input');
    assert.equal(noName.field, 'name');
    assert.deepEqual(await server.store.testDevices.list(), []);
  });

  it('adds a device with its MAC normalised to 12 upper-case hex digits', async () => {
    const r = await call<TestDeviceDto>('POST', '/test-devices', { auth: admin, json: { name: 'Desk 12', mac: '00-21-63-0f-20-7b' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    device = r.body;
    assert.equal(device.mac, '0021630F207B');
    assert.equal(device.name, 'Desk 12');
    assert.equal(device.serial, null);
    const list = await call<TestDeviceDto[]>('GET', '/test-devices', { auth: admin });
    assert.deepEqual(list.body, [device]);
  });

  it('refuses a duplicate MAC (409), however it is written', async () => {
    const e = assertError(await call('POST', '/test-devices', { auth: admin, json: { name: 'Desk 13', mac: '00:21:63:0F:20:7B' } }), 409, 'conflict');
    // The MAC in the admin's notation (setting macNotation, dashes by default), not as stored.
    assert.equal(e.message, 'Test device "Desk 12" already has MAC 00-21-63-0F-20-7B.');
    assert.equal((await server.store.testDevices.list()).length, 1);
  });

  it('edits a device', async () => {
    const r = await call<TestDeviceDto>('PUT', `/test-devices/${device.id}`, {
      auth: admin,
      json: { name: 'Desk 12 (lab)', mac: '0021.630f.207c', serial: 'C185H001209' },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.id, device.id);
    assert.equal(r.body.name, 'Desk 12 (lab)');
    assert.equal(r.body.mac, '0021630F207C');
    assert.equal(r.body.serial, 'C185H001209');
    assert.deepEqual(await server.store.testDevices.get(device.id), r.body);
    const bad = assertError(await call('PUT', `/test-devices/${device.id}`, { auth: admin, json: { name: 'x', mac: 'nope' } }), 400, 'invalid_input');
    assert.equal(bad.field, 'mac');
    assert.equal((await server.store.testDevices.get(device.id))!.mac, '0021630F207C');
  });

  it('answers 404 for an unknown id, 400 for a non-numeric one', async () => {
    assertError(await call('PUT', '/test-devices/99999', { auth: admin, json: { name: 'x', mac: '001122334455' } }), 404, 'not_found');
    assertError(await call('DELETE', '/test-devices/99999', { auth: admin }), 404, 'not_found');
    assertError(await call('DELETE', '/test-devices/abc', { auth: admin }), 400, 'invalid_input');
    assert.equal((await server.store.testDevices.list()).length, 1);
  });

  it('deletes a device', async () => {
    const r = await call<TestDeviceDto>('DELETE', `/test-devices/${device.id}`, { auth: admin });
    assert.equal(r.status, 200);
    assert.equal(r.body.id, device.id);
    assert.deepEqual((await call('GET', '/test-devices', { auth: admin })).body, []);
    assertError(await call('DELETE', `/test-devices/${device.id}`, { auth: admin }), 404, 'not_found');
  });
});

describe('settings', () => {
  let admin: Auth & SessionInfo;
  before(async () => {
    admin = await signIn(ADMIN);
  });

  it('refuses a wrongly typed value (400 naming the field)', async () => {
    const e = assertError(await call('PUT', '/settings', { auth: admin, json: { httpPort: 'x' } }), 400, 'invalid_input');
    assert.equal(e.field, 'httpPort');
    assert.match(e.message, /httpPort/);
    const range = assertError(await call('PUT', '/settings', { auth: admin, json: { httpPort: 70000 } }), 400, 'invalid_input');
    assert.equal(range.field, 'httpPort');
    assert.equal((await server.store.settings.read()).httpPort, 80);
  });

  it('refuses an unknown key (400)', async () => {
    const e = assertError(await call('PUT', '/settings', { auth: admin, json: { nope: 1 } }), 400, 'invalid_input');
    assert.equal(e.field, 'nope');
    assert.match(e.message, /nope/);
    assertError(await call('PUT', '/settings', { auth: admin, json: [1, 2] }), 400, 'invalid_input');
    // Names every object has are no settings either (not a 500, and nothing stored).
    const proto = assertError(await call('PUT', '/settings', { auth: admin, json: { toString: 1 } }), 400, 'invalid_input');
    assert.equal(proto.field, 'toString');
    const polluted = await call<Settings>('PUT', '/settings', { auth: admin, raw: '{"__proto__": {"httpPort": 1}}', contentType: 'application/json' });
    assert.ok(polluted.status === 200 || polluted.status === 400, `${polluted.status}`);
    assert.equal((await server.store.settings.read()).httpPort, 80);
    // An empty change changes nothing and leaves no history entry.
    const historyBefore = (await server.store.history.list(1000)).length;
    const empty = await call<Settings>('PUT', '/settings', { auth: admin, json: {} });
    assert.equal(empty.status, 200);
    assert.equal(empty.body.httpPort, 80);
    assert.equal((await server.store.history.list(1000)).length, historyBefore);
    assert.deepEqual(
      (server.store.engine as SqliteEngine).db.prepare('SELECT key FROM settings ORDER BY key').pluck().all(),
      ['maxPackageMB', 'serverName'],
      'only settings changed earlier are stored',
    );
  });

  it('is all or nothing: one bad value keeps the good one out', async () => {
    assertError(await call('PUT', '/settings', { auth: admin, json: { externalUrl: 'https://ext.contoso.com', httpPort: 'x' } }), 400, 'invalid_input');
    assert.equal((await server.store.settings.read()).externalUrl, '');
  });

  it('applies a valid change, returned and visible in GET', async () => {
    const r = await call<Settings>('PUT', '/settings', { auth: admin, json: { externalUrl: 'https://ext.contoso.com/', logRetentionDays: 60 } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.externalUrl, 'https://ext.contoso.com');
    assert.equal(r.body.logRetentionDays, 60);
    assert.equal(r.body.httpPort, 80, 'the whole settings object is returned');
    const g = await call<Settings>('GET', '/settings', { auth: admin });
    assert.equal(g.body.externalUrl, 'https://ext.contoso.com');
    assert.equal(g.body.logRetentionDays, 60);
  });
});

describe('secrets and sessions', () => {
  it('never sends the PFX passphrase back; sending the marker back keeps it', async () => {
    const admin = await signIn(ADMIN);
    const put = await call<Settings>('PUT', '/settings', { auth: admin, json: { tlsPfxPassphrase: 'hunter2-secret' } });
    assert.equal(put.body.tlsPfxPassphrase, '[set]');
    assert.equal((await call<Settings>('GET', '/settings', { auth: admin })).body.tlsPfxPassphrase, '[set]');
    await call('PUT', '/settings', { auth: admin, json: { tlsPfxPassphrase: '[set]', serverName: 'keeps' } });
    assert.equal((await server.store.settings.read()).tlsPfxPassphrase, 'hunter2-secret');
    assert.doesNotMatch(JSON.stringify(await server.store.history.list(1000)), /hunter2/);
    await call('PUT', '/settings', { auth: admin, json: { tlsPfxPassphrase: '', serverName: '' } });
  });

  it('changing an account\'s password ends its sessions', async () => {
    await setAdmin(server.store, 'carol', 'carol-password-1', 'admin', 'test');
    const carol = await signIn({ username: 'carol', password: 'carol-password-1' });
    assert.equal((await call('GET', '/rules', { auth: carol })).status, 200);
    await setAdmin(server.store, 'carol', 'carol-password-2', 'admin', 'test');
    assertError(await call('GET', '/rules', { auth: carol }), 401, 'unauthenticated');
  });
});

describe('history and unknown routes', () => {
  let admin: Auth & SessionInfo;
  before(async () => {
    admin = await signIn(ADMIN);
  });

  it('records every change with the user name of whoever made it', async () => {
    const r = await call<HistoryDto[]>('GET', '/history?limit=1000', { auth: admin });
    assert.equal(r.status, 200);
    const by = (action: string, target?: string) => r.body.filter((h) => h.action === action && (target === undefined || h.target === target));
    const imported = by('import-package', 'UCUpdates.cab');
    assert.equal(imported.length, 1);
    assert.equal(imported[0]!.actor, ADMIN.username);
    assert.deepEqual(
      by('approve').map((h) => [h.actor, h.target]).sort(),
      [
        [ADMIN.username, 'UCPhone/Polycom/CX600/A/ENU/CPE'],
        [ADMIN.username, 'UCPhone/Polycom/CX700/A/ENU/CPE'],
      ],
    );
    assert.deepEqual(by('reject').map((h) => [h.actor, h.target]), [[ADMIN.username, 'UCPhone/LG-Nortel/IP8540/A/ENU/CPE']]);
    for (const action of ['add-test-device', 'edit-test-device', 'remove-test-device']) {
      assert.equal(by(action).length, 1, action);
      assert.equal(by(action)[0]!.actor, ADMIN.username, action);
    }
    const settings = by('change-settings');
    assert.ok(settings.some((h) => h.actor === 'desktop' && h.target === 'serverName'), 'changes through the launch token are the desktop\'s');
    assert.ok(settings.some((h) => h.actor === ADMIN.username && h.target === 'externalUrl, logRetentionDays'));
    assert.ok(settings.some((h) => h.actor === ADMIN.username && h.target === 'maxPackageMB'));
    // Refused changes left no trace.
    assert.equal(settings.some((h) => h.target.includes('httpPort')), false);
    assert.equal(by('import-package', 'garbage.cab').length, 0);
    // Newest first, and paged.
    const ids = r.body.map((h) => h.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const page = await call<HistoryDto[]>('GET', `/history?limit=2&before=${ids[0]}`, { auth: admin });
    assert.deepEqual(page.body.map((h) => h.id), ids.slice(1, 3));
    const bad = assertError(await call('GET', '/history?limit=0', { auth: admin }), 400, 'invalid_input');
    assert.equal(bad.field, 'limit');
  });

  it('answers 404 with the envelope for an unknown API path', async () => {
    const e = assertError(await call('GET', '/nope', { auth: admin }), 404, 'not_found');
    assert.match(e.message, /No such/);
    assertError(await call('POST', '/nope', { auth: admin, json: {} }), 404, 'not_found');
    assertError(await call('GET', '/imports/does-not-exist', { auth: admin }), 404, 'not_found');
  });
});

describe('status, explain and purge', () => {
  let admin: Auth & SessionInfo;
  let viewer: Auth & SessionInfo;
  before(async () => {
    admin = await signIn(ADMIN);
    viewer = await signIn(VIEWER);
  });

  it('tells every signed-in caller which version runs and where phones and admins reach it', async () => {
    const r = await call<ServerStatusDto>('GET', '/status', { auth: viewer });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.urls, server.urls);
    assert.equal(r.body.version, APP_VERSION);
    assert.ok(Date.parse(r.body.startedAt) <= Date.now());
  });

  it('runs the pre-flight against the certificate the HTTPS listener presents', async () => {
    const r = await call<PreflightDto>('GET', '/preflight?domain=example.invalid', { auth: viewer });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.domain, 'example.invalid');
    const by = Object.fromEntries(r.body.checks.map((c) => [c.id, c]));
    assert.equal(by['dns:ucupdates-r2.example.invalid']?.status, 'fail');
    assert.equal(by['certificate-trust']?.status, 'fail', 'the generated certificate is self-signed');
    assert.match(by['certificate-names']!.detail, /not ucupdates-r2\.example\.invalid/);
    assert.equal(by['certificate-dates']?.status, 'pass');
    assert.equal(by.clock?.status, 'pass');
    assertError(await call('GET', '/preflight?domain=a%20b', { auth: viewer }), 400, 'invalid_input');
  });

  it('explains to a viewer what a described phone gets, and why', async () => {
    const r = await call<ExplanationDto>('GET', '/explain?model=CX700&locale=DEU&version=3.5.6907.0', { auth: viewer });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.phone.vendor, r.body.phone.locale, r.body.phone.revision], ['Polycom', 'DEU', 'A']);
    assert.ok(r.body.trace.length >= 2 && r.body.trace.every((t) => t.endsWith('.')), r.body.trace.join('\n'));
    assert.deepEqual(r.body.langList, ['DEU', 'ENU']);
    const bad = assertError(await call('GET', '/explain?model=CX700&mac=zz', { auth: viewer }), 400, 'invalid_input');
    assert.equal(bad.field, 'mac');
    assert.equal(assertError(await call('GET', '/explain', { auth: viewer }), 400, 'invalid_input').field, 'model');
  });

  it('previews, refuses a viewer and a package in use, then purges a rejected package', async () => {
    const { readFile } = await import('node:fs/promises');
    const older = await readFile(await olderPackage(join(tmp, 'cabs-older')));
    const job = await waitForJob((await call<ImportJobDto>('POST', '/packages?name=older.cab', { auth: admin, raw: older })).body.id, admin);
    assert.equal(job.phase, 'done', JSON.stringify(job.error));
    const cx600 = (await call<RuleDto[]>('GET', '/rules', { auth: admin })).body.find((r) => r.model === 'CX600')!;
    assert.equal(cx600.pending, '4.0.7577.4363');
    assert.equal((await call('POST', '/rules/reject', { auth: admin, json: { ids: [cx600.id] } })).status, 200);

    const preview = await call<PurgePreviewDto>('GET', '/purge', { auth: viewer });
    assert.equal(preview.status, 200);
    assert.deepEqual(preview.body.purge.map((p) => [p.id, p.fileName, p.reason]), [[job.summary!.packageId, 'older.cab', 'No rule uses 4.0.7577.4363 any more.']]);
    assert.ok(preview.body.keep.some((k) => k.fileName === 'UCUpdates.cab'));
    assert.equal(preview.body.files, 2);
    assert.ok(preview.body.bytes > 0);

    assertError(await call('POST', '/purge', { auth: viewer, json: { ids: [job.summary!.packageId] } }), 403, 'forbidden');
    const kept = preview.body.keep.find((k) => k.fileName === 'UCUpdates.cab')!;
    const inUse = assertError(await call('POST', '/purge', { auth: admin, json: { ids: [job.summary!.packageId, kept.id] } }), 409, 'conflict');
    assert.match(inUse.message, /^Nothing was purged\. UCUpdates\.cab .* is still in use/);
    assert.equal(assertError(await call('POST', '/purge', { auth: admin, json: { ids: [] } }), 400, 'invalid_input').field, 'ids');

    const done = await call<PurgeResultDto>('POST', '/purge', { auth: admin, json: { ids: [job.summary!.packageId] } });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.deepEqual(done.body, { packages: preview.body.purge, files: 2, bytes: preview.body.bytes });
    const packages = (await call<PackageDto[]>('GET', '/packages', { auth: admin })).body;
    assert.equal(packages.some((p) => p.fileName === 'older.cab'), false);
    const [h] = (await call<HistoryDto[]>('GET', '/history?limit=1', { auth: admin })).body;
    assert.deepEqual([h!.actor, h!.action, h!.target], [ADMIN.username, 'purge', 'older.cab']);
  });
});
