import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureLog, type CapturedRequest } from '../../src/server/infra/logs/capture-log.js';
import { roomyBudget } from '../fixtures/log-budget.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ucupdates-capture-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const AT = new Date('2024-05-01T10:00:00.123Z');

function request(overrides: Partial<CapturedRequest> = {}): CapturedRequest {
  return {
    at: AT,
    clientIp: '::ffff:10.1.1.123',
    method: 'POST',
    url: '/RequestHandler/ucdevice.upx',
    headers: { 'user-agent': 'Microsoft UCPhone Device', 'content-type': 'text/xml' },
    body: Buffer.from('<Request><DeviceType>UCPhone</DeviceType></Request>'),
    ...overrides,
  };
}

async function records(dir: string, name: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, name), 'utf8');
  assert.ok(text.endsWith('\n'));
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('records one JSON line per request, UTF-8 body as text', async (t) => {
  const dir = await tempDir(t);
  const log = new CaptureLog({ dir, budget: roomyBudget(dir), clock: () => AT });
  log.record(request());
  log.record(request({ method: 'GET', url: '/x?a=1', body: Buffer.alloc(0) }));
  await log.close();
  assert.deepEqual(await records(dir, 'capture-2024-05-01.jsonl'), [
    {
      at: '2024-05-01T10:00:00.123Z',
      clientIp: '10.1.1.123',
      method: 'POST',
      url: '/RequestHandler/ucdevice.upx',
      headers: { 'user-agent': 'Microsoft UCPhone Device', 'content-type': 'text/xml' },
      bodyBytes: 51,
      encoding: 'utf8',
      body: '<Request><DeviceType>UCPhone</DeviceType></Request>',
      truncated: false,
    },
    {
      at: '2024-05-01T10:00:00.123Z',
      clientIp: '10.1.1.123',
      method: 'GET',
      url: '/x?a=1',
      headers: { 'user-agent': 'Microsoft UCPhone Device', 'content-type': 'text/xml' },
      bodyBytes: 0,
      encoding: 'utf8',
      body: '',
      truncated: false,
    },
  ]);
});

test('a binary body is base64; a body with newlines stays on one line', async (t) => {
  const dir = await tempDir(t);
  const log = new CaptureLog({ dir, budget: roomyBudget(dir), clock: () => AT });
  const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]);
  log.record(request({ body: binary }));
  log.record(request({ body: Buffer.from('line1\r\nline2\n') }));
  await log.close();
  const [bin, text] = await records(dir, 'capture-2024-05-01.jsonl');
  assert.equal(bin?.encoding, 'base64');
  assert.deepEqual(Buffer.from(String(bin?.body), 'base64'), binary);
  assert.equal(text?.encoding, 'utf8');
  assert.equal(text?.body, 'line1\r\nline2\n');
});

test('Authorization, Proxy-Authorization and cookies are redacted', async (t) => {
  const dir = await tempDir(t);
  const log = new CaptureLog({ dir, budget: roomyBudget(dir), clock: () => AT });
  log.record(
    request({
      headers: {
        authorization: 'Basic dXNlcjpzZWNyZXQ=',
        'proxy-authorization': 'NTLM TlRMTVNTUAAB',
        cookie: 'session=secret',
        'set-cookie': ['a=secret1', 'b=secret2'],
        Authorization: 'Bearer secret',
        host: 'ucupdates.demo.local',
      },
    }),
  );
  await log.close();
  const text = await readFile(join(dir, 'capture-2024-05-01.jsonl'), 'utf8');
  assert.doesNotMatch(text, /secret|dXNlcjpzZWNyZXQ|TlRMTVNTUAAB/);
  const [rec] = await records(dir, 'capture-2024-05-01.jsonl');
  assert.deepEqual(rec?.headers, {
    authorization: '[redacted]',
    'proxy-authorization': '[redacted]',
    cookie: '[redacted]',
    'set-cookie': '[redacted]',
    Authorization: '[redacted]',
    host: 'ucupdates.demo.local',
  });
});

test('bodies beyond maxBodyBytes are truncated and flagged, without splitting a UTF-8 character', async (t) => {
  const dir = await tempDir(t);
  const log = new CaptureLog({ dir, budget: roomyBudget(dir), maxBodyBytes: 8, clock: () => AT });
  log.record(request({ body: Buffer.from('abcdefghijkl') }));
  log.record(request({ body: Buffer.from('abcdef€xyz') })); // '€' is 3 bytes at offsets 6..8
  log.record(request({ body: Buffer.from('12345678') })); // exactly at the limit
  log.record(request({ body: Buffer.alloc(100, 0xff) }));
  await log.close();
  const [plain, euro, exact, binary] = await records(dir, 'capture-2024-05-01.jsonl');
  assert.deepEqual([plain?.body, plain?.bodyBytes, plain?.truncated], ['abcdefgh', 12, true]);
  assert.deepEqual([euro?.encoding, euro?.body, euro?.truncated], ['utf8', 'abcdef', true]);
  assert.deepEqual([exact?.body, exact?.truncated], ['12345678', false]);
  assert.deepEqual([binary?.encoding, binary?.bodyBytes, binary?.truncated], ['base64', 100, true]);
  assert.equal(Buffer.from(String(binary?.body), 'base64').length, 8);
});

test('rotates daily (UTC) through the writer clock', async (t) => {
  const dir = await tempDir(t);
  let now = new Date('2024-05-01T23:59:59Z');
  const log = new CaptureLog({ dir, budget: roomyBudget(dir), clock: () => now });
  log.record(request());
  now = new Date('2024-05-02T00:00:01Z');
  log.record(request());
  await log.close();
  assert.deepEqual((await readdir(dir)).sort(), ['capture-2024-05-01.jsonl', 'capture-2024-05-02.jsonl']);
});

test('an invalid request time does not throw', async (t) => {
  const dir = await tempDir(t);
  const log = new CaptureLog({ dir, budget: roomyBudget(dir), clock: () => AT });
  assert.doesNotThrow(() => log.record(request({ at: new Date(Number.NaN) })));
  await log.close();
});
