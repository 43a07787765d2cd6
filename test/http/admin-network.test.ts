// The admin console reached over the network: HTTPS on its own listener, a reverse proxy on this machine that must
// not pass for this machine's user, the security headers, and the Host allowlist against DNS rebinding.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { askServer, cliContext } from '../../src/cli/cli-context.js';
import { httpRequest, type HttpResult } from '../../src/cli/phone-simulator.js';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { Store } from '../../src/server/app/store.js';
import type { RunningServer } from '../../src/server/compose.js';
import { readRunFile } from '../../src/server/infra/run-file.js';
import type { Settings } from '../../src/shared/settings.js';
import { startTestServer, tempDir } from '../helpers.js';

const ADMIN = { username: 'alice', password: 'alice-password-1' };
let tmp: { dir: string; remove: () => Promise<void> };
const servers: RunningServer[] = [];

before(async () => {
  tmp = await tempDir('ucu-admin-network-');
});
after(async () => {
  for (const s of servers) await s.close();
  await tmp.remove();
});

/** A server whose stored settings are `settings` (read at start, as a restart would), with an admin account. */
async function serverWith(name: string, settings: Partial<Settings>): Promise<RunningServer> {
  const dataDir = join(tmp.dir, name);
  const store = new Store(dataDir);
  await store.settings.write(settings);
  await store.close();
  const server = await startTestServer(dataDir);
  servers.push(server);
  await setAdmin(server.store, ADMIN.username, ADMIN.password, 'admin', 'test');
  return server;
}

function call(server: RunningServer, method: string, path: string, opts: { json?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const headers = { ...opts.headers, ...(opts.json === undefined ? {} : { 'content-type': 'application/json' }) };
  return httpRequest(`${server.urls.admin}${path}`, { method, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json), insecure: true });
}

const json = (r: HttpResult) => JSON.parse(r.body.toString()) as { error?: { message: string } };
const linkToken = (server: RunningServer) => /#signin=(.+)$/.exec(server.signInLink())![1]!;

describe('adminTls', () => {
  let server: RunningServer;
  before(async () => {
    server = await serverWith('tls', { adminTls: true });
  });

  it('serves the console and the API over HTTPS only, and says so in the URLs and server.json', async () => {
    assert.match(server.urls.admin, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.signInLink(), /^https:\/\/127\.0\.0\.1:\d+\/#signin=/);
    assert.equal((await readRunFile(server.store.paths.runFile))?.adminUrl, server.urls.admin);
    assert.equal((await call(server, 'GET', '/api/health')).status, 200);
    await assert.rejects(httpRequest(server.urls.admin.replace('https:', 'http:') + '/api/health'), 'plain HTTP is not served');
    // The CLI on this machine still reaches it with the launch token; its links are https too.
    const link = await askServer<{ url: string }>(cliContext(() => join(tmp.dir, 'tls')), '/api/session/link', 'POST');
    assert.match(link.url, /^https:\/\/127\.0\.0\.1:\d+\/#signin=/);
  });

  it('marks the session cookie Secure, for an account and for a one-time link', async () => {
    const account = await call(server, 'POST', '/api/session', { json: ADMIN });
    assert.equal(account.status, 200);
    assert.match(String(account.headers['set-cookie']), /; HttpOnly; SameSite=Strict; .*; Secure/);
    const link = await call(server, 'POST', '/api/session/exchange', { json: { token: linkToken(server) } });
    assert.equal(link.status, 200);
    assert.match(String(link.headers['set-cookie']), /; Secure/);
  });
});

describe('a reverse proxy on this machine', () => {
  let server: RunningServer;
  before(async () => {
    server = await serverWith('proxy', { adminTrustedProxies: ['127.0.0.1'] });
  });

  const FORWARDED: Record<string, string>[] = [
    { 'x-forwarded-for': '203.0.113.5' },
    { forwarded: 'for=203.0.113.5;proto=https' },
    { 'x-forwarded-proto': 'https' },
    { 'x-forwarded-for': '127.0.0.1' }, // a proxied request is never loopback, whatever the client address says
  ];

  it('is refused the launch token whenever it forwards a request', async () => {
    const bearer = { authorization: `Bearer ${server.local.launchToken}` };
    assert.equal((await call(server, 'GET', '/api/rules', { headers: bearer })).status, 200, 'the launch token works from this machine');
    for (const headers of FORWARDED) {
      const r = await call(server, 'GET', '/api/rules', { headers: { ...bearer, ...headers } });
      assert.equal(r.status, 401, JSON.stringify(headers));
    }
  });

  it('is refused one-time sign-in links, which stay valid for a browser on this machine', async () => {
    const token = linkToken(server);
    for (const headers of FORWARDED) {
      const r = await call(server, 'POST', '/api/session/exchange', { json: { token }, headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.match(json(r).error!.message, /not through a proxy/);
      assert.equal(r.headers['set-cookie'], undefined);
    }
    assert.equal((await call(server, 'POST', '/api/session/exchange', { json: { token } })).status, 200);
  });

  it('makes the cookie Secure when it says the browser used HTTPS; accounts sign in through it', async () => {
    const viaHttps = await call(server, 'POST', '/api/session', { json: ADMIN, headers: { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https' } });
    assert.equal(viaHttps.status, 200);
    assert.match(String(viaHttps.headers['set-cookie']), /; Secure/);
    const viaHttp = await call(server, 'POST', '/api/session', { json: ADMIN, headers: { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'http' } });
    assert.doesNotMatch(String(viaHttp.headers['set-cookie']), /Secure/);
  });
});

describe('headers and host names', () => {
  let server: RunningServer;
  let port: string;
  before(async () => {
    server = await serverWith('hosts', {});
    port = new URL(server.urls.admin).port;
  });

  it('sends the security headers on every admin response, refusals included', async () => {
    const answers = [
      await call(server, 'GET', '/'),
      await call(server, 'GET', '/api/health'),
      await call(server, 'GET', '/api/rules'), // 401
      await call(server, 'GET', '/api/health', { headers: { host: 'evil.example' } }), // 421
    ];
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 401, 421]);
    for (const r of answers) {
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/, 'no inline or foreign scripts');
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('answers its own address, loopback names and this machine\'s name, with the port or without', async () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]', hostname(), 'LOCALHOST.']) {
      for (const h of [host, `${host}:${port}`]) {
        assert.equal((await call(server, 'GET', '/api/health', { headers: { host: h } })).status, 200, h);
      }
    }
  });

  it('refuses any other host name (DNS rebinding) with a sentence, not the console', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1.evil.example', 'localhost.evil.example']) {
      const r = await call(server, 'GET', '/', { headers: { host } });
      assert.equal(r.status, 421, host);
      assert.match(r.body.toString(), /does not answer to the host name/);
      assert.doesNotMatch(r.body.toString(), /<html/i);
    }
    // The sign-in is refused before the password is looked at.
    assert.equal((await call(server, 'POST', '/api/session', { json: ADMIN, headers: { host: 'evil.example' } })).status, 421);
  });

  it('answers only the names in adminAllowedHosts once it is set; an untrusted peer\'s X-Forwarded-Proto is not believed', async () => {
    const named = await serverWith('named', { adminAllowedHosts: ['console.contoso.com', 'ucupdates:8443'] });
    const health = (host: string) => call(named, 'GET', '/api/health', { headers: { host } }).then((r) => r.status);
    assert.equal(await health('console.contoso.com'), 200);
    assert.equal(await health('console.contoso.com:9999'), 200, 'an entry without a port allows any port');
    assert.equal(await health('ucupdates:8443'), 200);
    assert.equal(await health('ucupdates'), 421, 'an entry with a port allows only that port');
    assert.equal(await health('localhost'), 421);
    const r = await call(named, 'POST', '/api/session', { json: ADMIN, headers: { host: 'console.contoso.com', 'x-forwarded-proto': 'https' } });
    assert.equal(r.status, 200);
    assert.doesNotMatch(String(r.headers['set-cookie']), /Secure/);
  });
});
