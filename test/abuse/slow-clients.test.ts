// An attacker on the phone network holds connections open: it trickles a request a byte at a time, never finishes
// its headers, never starts TLS, or opens more connections than a phone ever would. Measured on main: 300 trickling
// connections were held for over five minutes each (Node's defaults). Timeouts and caps are small here (settings).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { DEFAULT_PHONE, phoneRequestBody } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { Store } from '../../src/server/app/store.js';
import type { RunningServer } from '../../src/server/compose.js';
import { buildCab, fileContent, image, updateInfoXml, type FixtureFile } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

const FOLDER = 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE';
const BIG_IMAGE = 12 * 1024 * 1024;
const SETTINGS = { phoneHeadersTimeoutS: 1, phoneRequestTimeoutS: 2, phoneIdleTimeoutS: 3, phoneMaxConnectionsPerAddress: 50, trustedProxies: ['127.0.0.3'] };

let tmp: { dir: string; remove: () => Promise<void> };
let image600: FixtureFile;
let main: Started;

interface Started {
  server: RunningServer;
  port: number;
  httpsPort: number;
  warnings: string[];
}

/** The listeners' settings apply at start: written to the store before the server opens it. */
async function start(dir: string, settings: Record<string, unknown>): Promise<Started> {
  const store = new Store(dir);
  await updateSettings(store, settings, 'test');
  await store.close();
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, new Writable({ write: (c, _e, cb) => (warnings.push(JSON.parse(String(c)).msg as string), cb()) }));
  const server = await startTestServer(dir, { log });
  return { server, port: Number(new URL(server.urls.http).port), httpsPort: Number(new URL(server.urls.https).port), warnings };
}

before(async () => {
  tmp = await tempDir();
  main = await start(join(tmp.dir, 'main'), SETTINGS);
  const files = [updateInfoXml('4.0.7577.4366'), ...image(FOLDER, { nbtSize: BIG_IMAGE })];
  image600 = files[1]!;
  await importPackage(main.server.store, await buildCab(join(tmp.dir, 'cabs'), 'UCUpdates.cab', files, { compress: false }), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  await applyRuleAction(main.server.store, 'approve', [(await main.server.store.rules.list())[0]!.id], 'test');
});
after(async () => {
  await main.server.close();
  await tmp.remove();
});

interface Held {
  socket: net.Socket;
  /** Bytes the server sent back. */
  answer: string;
  /** Closed by the server with no answer right after connecting: refused. */
  refused: boolean;
  closed: Promise<void>;
}

/** A raw connection from `from`; `start` runs once connected (it writes what the attacker writes). */
function connect(port: number, from: string, start: (s: net.Socket) => void = () => undefined): Held {
  const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
  const held: Held = { socket: s, answer: '', refused: false, closed: Promise.resolve() };
  held.closed = new Promise((resolve) => {
    s.on('connect', () => start(s));
    s.on('data', (d) => (held.answer += d.toString('latin1')));
    s.on('error', (e: NodeJS.ErrnoException) => (held.refused = held.answer === '' && e.code === 'ECONNRESET'));
    s.on('close', () => resolve());
  });
  return held;
}

/** Resolves when every connection is closed; fails if one is still open after `ms`. */
function allClosed(held: Held[], ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`connections still open after ${ms} ms`)), ms)));
  return Promise.race([Promise.all(held.map((h) => h.closed)), late]).finally(() => clearTimeout(timer));
}

/** Sends a request's headers, then its body one byte every 250 ms, while the connection lasts. */
const trickle = (s: net.Socket) => {
  s.write('POST /RequestHandler/ucdevice.upx HTTP/1.1\r\nHost: ucupdates\r\nContent-Type: text/xml\r\nContent-Length: 10000\r\n\r\n');
  const timer = setInterval(() => s.write('<'), 250);
  s.on('close', () => clearInterval(timer));
};

/** A real phone's update check, from another loopback address, and how long its answer took. */
function phoneCheck(port: number, from: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', localAddress: from, method: 'POST', path: '/RequestHandler/ucdevice.upx', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(phoneRequestBody({ ...DEFAULT_PHONE, version: '4.0.7577.4000' }));
  });
}

test('300 connections trickling a body are cut by the request timeout; those over the per-address cap are refused at once; a phone elsewhere is answered', async () => {
  const attack = Array.from({ length: 300 }, () => connect(main.port, '127.0.0.1', trickle));
  await new Promise((r) => setTimeout(r, 500));
  const phone = await phoneCheck(main.port, '127.0.0.2');
  assert.equal(phone.status, 200);
  assert.match(phone.body, /<NumOfFiles>1<\/NumOfFiles>/);
  assert.ok(phone.ms < 2000, `a real phone was answered in ${Math.round(phone.ms)} ms`);

  // Node's default request timeout is five minutes: without the setting, this would not end.
  await allClosed(attack, 10_000);
  const refused = attack.filter((h) => h.refused);
  const timedOut = attack.filter((h) => h.answer.startsWith('HTTP/1.1 408 '));
  assert.equal(refused.length, 250, 'over phoneMaxConnectionsPerAddress (50): refused');
  assert.equal(timedOut.length, 50, 'the 50 accepted were answered 408 by the request timeout');
  assert.equal(main.warnings.filter((w) => /from 127\.0\.0\.1 .*phoneMaxConnectionsPerAddress/.test(w)).length, 1, 'one warning, not one per connection');
});

test('connections that never finish their headers, or never start TLS, are closed by the header timeout', async () => {
  const silent = connect(main.port, '127.0.0.1');
  const slowHeaders = connect(main.port, '127.0.0.1', (s) => {
    s.write('POST /RequestHandler/ucdevice.upx HTTP/1.1\r\n');
    const timer = setInterval(() => s.write('X-Pad: 1\r\n'), 200);
    s.on('close', () => clearInterval(timer));
  });
  const noTls = Array.from({ length: 60 }, () => connect(main.httpsPort, '127.0.0.1'));
  await allClosed([silent, slowHeaders, ...noTls], 10_000);
  assert.match(slowHeaders.answer, /^HTTP\/1\.1 408 /);
  assert.equal(noTls.filter((h) => h.refused).length, 10, 'the HTTPS listener has the same per-address cap');
  assert.equal((await phoneCheck(main.port, '127.0.0.1')).status, 200, 'the address is served again once its connections are gone');
});

test('addresses in trustedProxies are exempt from the per-address cap; others are held to it', async () => {
  const open = async (from: string) => {
    const held = Array.from({ length: 60 }, () => connect(main.port, from));
    await new Promise((r) => setTimeout(r, 300));
    return held;
  };
  const [proxy, client] = [await open('127.0.0.3'), await open('127.0.0.1')];
  assert.equal(proxy.filter((h) => h.refused).length, 0);
  assert.equal(client.filter((h) => h.refused).length, 10);
  await allClosed([...proxy, ...client], 10_000);
});

test('a download slower than the request timeout, but steady, is not cut', async () => {
  const url = `/DeviceUpdateFiles_Int/${FOLDER}/CPE.nbt`;
  const started = performance.now();
  const { status, body } = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    http
      .get({ port: main.port, host: '127.0.0.1', localAddress: '127.0.0.2', path: url, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        // About 2 MB a second: six seconds for the image, three times the request timeout (more than the socket buffers hold).
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          res.pause();
          setTimeout(() => res.resume(), c.length / 2000);
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
  assert.equal(status, 200);
  assert.ok(performance.now() - started > SETTINGS.phoneRequestTimeoutS * 1000, 'the download lasted longer than the request timeout');
  assert.equal(body.length, BIG_IMAGE);
  assert.equal(createHash('sha256').update(body).digest('hex'), createHash('sha256').update(fileContent(image600)).digest('hex'));
});

test('past phoneMaxConnections a listener refuses every connection at once, from any address, and logs it once', async () => {
  const small = await start(join(tmp.dir, 'small'), { phoneMaxConnections: 16, phoneHeadersTimeoutS: 5, phoneRequestTimeoutS: 5 });
  try {
    const held = Array.from({ length: 16 }, () => connect(small.port, '127.0.0.1'));
    await new Promise((r) => setTimeout(r, 300));
    const over = Array.from({ length: 5 }, () => connect(small.port, '127.0.0.2'));
    await Promise.all(over.map((h) => h.closed));
    assert.equal(over.filter((h) => h.answer === '').length, 5);
    assert.equal(held.filter((h) => h.refused).length, 0);
    assert.equal(small.warnings.filter((w) => /phoneMaxConnections\)/.test(w)).length, 1, 'one warning, not one per connection');
    for (const h of held) h.socket.destroy();
    await allClosed(held, 1000);
    assert.equal((await eventually(() => phoneCheck(small.port, '127.0.0.2'))).status, 200, 'served again once connections are free');
  } finally {
    await small.server.close();
  }
});
