// The access log as admins read it: written by a real server after real update checks and downloads, then read by
// the real goaccess (/usr/bin/goaccess; .ci/run installs it) with the commands the README gives, read from it. Before
// the accessLogFields setting, goaccess's --log-format=W3C read 0 of our lines and there were no bytes to report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PHONE, downloadOffer, httpRequest, phoneRequestBody, simulateCheck } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { Store } from '../../src/server/app/store.js';
import type { RunningServer } from '../../src/server/compose.js';
import { buildCab, image, updateInfoXml } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

const run = promisify(execFile);

const FOLDER = 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE';
/** Far more than loopback's socket buffers hold, so that a download cut short is really cut short. */
const BIG_IMAGE = 24 * 1024 * 1024;
/** The README's goaccess commands, in its order (iis85; iis85 with bandwidth; iis7): the options between the files
 * and the report, unquoted as the shell would. */
const [W3C, IIS85_WITH_BYTES, IIS7] = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  .split('\n')
  .flatMap((line) => {
    const m = /^goaccess u_ex\*\.log (.+) -o report\.html$/.exec(line);
    return m ? [m[1]!.match(/(?:'[^']*'|[^\s'])+/g)!.map((arg) => arg.replaceAll("'", ''))] : [];
  }) as [string[], string[], string[]];

let tmp: { dir: string; remove: () => Promise<void> };
let cab: string;

before(async () => {
  tmp = await tempDir();
  cab = await buildCab(join(tmp.dir, 'cabs'), 'UCUpdates.cab', [updateInfoXml('4.0.7577.4366'), ...image(FOLDER, { nbtSize: BIG_IMAGE })], { compress: false });
});
after(() => tmp.remove());

/** A server in its own data folder, with the image approved and the settings written before it starts. */
async function serve(name: string, settings: Record<string, unknown>): Promise<{ server: RunningServer; base: string; accessDir: string }> {
  const dir = join(tmp.dir, name);
  const store = new Store(dir);
  await updateSettings(store, settings, 'test');
  await store.close();
  const server = await startTestServer(dir);
  await importPackage(server.store, cab, { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  await applyRuleAction(server.store, 'approve', [(await server.store.rules.list())[0]!.id], 'test');
  return { server, base: server.urls.http, accessDir: join(server.store.paths.logDir, 'Server', 'Access') };
}

interface GoAccessTotals {
  valid_requests: number;
  failed_requests: number;
  bandwidth: number;
}

/** goaccess as an admin runs it, the report written as JSON (its format follows the extension) and read back. */
async function goaccess(files: string[], format: string[]): Promise<GoAccessTotals> {
  const report = join(tmp.dir, `report-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  await run('goaccess', [...files, ...format, '--no-global-config', '-o', report]).catch((e: Error & { code?: string }) => {
    throw new Error(e.code === 'ENOENT' ? 'goaccess is not installed: apt-get install goaccess (.ci/run installs it).' : e.message);
  });
  const { valid_requests, failed_requests, bandwidth } = (JSON.parse(await readFile(report, 'utf8')) as { general: GoAccessTotals }).general;
  return { valid_requests, failed_requests, bandwidth };
}

async function accessFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort().map((f) => join(dir, f));
}

async function accessLines(dir: string): Promise<string[]> {
  const text = (await Promise.all((await accessFiles(dir)).map((f) => readFile(f, 'utf8')))).join('');
  assert.ok(text.endsWith('\r\n'));
  return text.slice(0, -2).split('\r\n');
}

/** Each line read by name through the #Fields directive before it, as any W3C reader does. */
function readW3c(lines: string[]): Record<string, string>[] {
  let names: string[] | undefined;
  const out: Record<string, string>[] = [];
  for (const line of lines) {
    if (line.startsWith('#Fields: ')) names = line.slice(9).split(' ');
    if (line.startsWith('#')) continue;
    assert.ok(names, `a line before any #Fields: ${line}`);
    const values = line.split(' ');
    assert.equal(values.length, names.length, `${line}\nagainst #Fields: ${names.join(' ')}`);
    out.push(Object.fromEntries(names.map((n, i) => [n, values[i]!])));
  }
  return out;
}

/** One request on its own connection, written byte for byte; the answer read to the end (Connection: close). */
function rawExchange(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(request));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

/** A GET that stops reading after its first 64 KB and hangs up: a phone that lost power mid-download. */
function cutShort(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    s.on('data', (c: Buffer) => {
      received += c.length;
      if (received < 64 * 1024) return;
      s.pause();
      s.destroy();
      resolve(received);
    });
    s.on('error', reject);
  });
}

test('iis85 (the default): goaccess --log-format=W3C reads every line; sc-bytes and cs-bytes are what went over the wire', async () => {
  assert.deepEqual(W3C, ['--log-format=W3C'], "the README's first goaccess command");
  const { server, base, accessDir } = await serve('iis85', {});
  const port = Number(new URL(base).port);
  const imagePath = `/DeviceUpdateFiles_Int/${FOLDER}/CPE.nbt`;
  const body = phoneRequestBody({ ...DEFAULT_PHONE, mac: '0021630F2004', version: '4.0.7577.4000' });
  const postRequest = `POST /RequestHandler/ucdevice.upx?probe=raw HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  const catRequest = `GET /DeviceUpdateFiles_Int/${FOLDER}/CPE.cat?probe=raw HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
  let cut: number;
  let postAnswer: Buffer;
  let catAnswer: Buffer;
  try {
    for (const mac of ['0021630F2001', '0021630F2002', '0021630F2003']) {
      const check = await simulateCheck(base, { ...DEFAULT_PHONE, mac, serial: `SN${mac}`, version: '4.0.7577.4000' });
      assert.equal(check.response!.files[0]!.version, '4.0.7577.4366');
      if (mac.endsWith('1')) assert.deepEqual((await downloadOffer(check.response!)).map((f) => f.status), [200, 200]);
    }
    const url = `${base}${imagePath}`;
    const etag = (await httpRequest(url, { method: 'HEAD' })).headers.etag!;
    assert.equal((await httpRequest(url, { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await httpRequest(url, { headers: { Range: 'bytes=100-199' } })).status, 206);
    assert.equal((await httpRequest(`${base}/DeviceUpdateFiles_Int/nothing/here.nbt`)).status, 404);
    assert.equal((await httpRequest(url, { method: 'POST', headers: { Referer: 'http://intranet.contoso.com/phones' } })).status, 405);

    postAnswer = await rawExchange(port, postRequest);
    catAnswer = await rawExchange(port, catRequest);
    cut = await cutShort(port, `${imagePath}?probe=cut`);
    await eventually(async () => assert.ok((await accessLines(accessDir)).some((l) => l.includes(' probe=cut '))));
  } finally {
    await server.close(); // flushes the logs
  }

  const lines = await accessLines(accessDir);
  const requests = readW3c(lines);
  assert.equal(requests.length, 13);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('#Fields: ')),
    ['#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken sc-bytes cs-bytes'],
  );

  const w3c = await goaccess(await accessFiles(accessDir), W3C);
  assert.equal(w3c.valid_requests, requests.length, 'every line read');
  assert.equal(w3c.failed_requests, 0);

  const bytes = (r: Record<string, string>) => Number(r['sc-bytes']);
  const withBytes = await goaccess(await accessFiles(accessDir), IIS85_WITH_BYTES);
  assert.equal(withBytes.valid_requests, requests.length);
  assert.equal(withBytes.failed_requests, 0);
  assert.equal(withBytes.bandwidth, requests.reduce((n, r) => n + bytes(r), 0), 'the bandwidth report is the sum of sc-bytes');
  assert.ok(withBytes.bandwidth > BIG_IMAGE);

  // Exact, where the test wrote and read the bytes itself.
  const raw = requests.filter((r) => r['cs-uri-query'] === 'probe=raw');
  assert.deepEqual(raw.map((r) => [r['sc-bytes'], r['cs-bytes']]), [
    [String(postAnswer!.length), String(Buffer.byteLength(postRequest))],
    [String(catAnswer!.length), String(Buffer.byteLength(catRequest))],
  ]);
  // Keep-alive connections: each request counts its own bytes. HEAD sends the GET's headers and no body.
  const image = requests.filter((r) => r['cs-uri-stem'] === imagePath && r['cs-uri-query'] === '-');
  const byMethod = (method: string, status: string) => image.find((r) => r['cs-method'] === method && r['sc-status'] === status)!;
  const get = byMethod('GET', '200');
  const head = byMethod('HEAD', '200');
  assert.equal(bytes(get) - bytes(head), BIG_IMAGE);
  assert.ok(bytes(head) > 100 && bytes(head) < 1000, `HEAD sent ${bytes(head)} bytes`);
  assert.ok(bytes(byMethod('GET', '304')) < bytes(head), '304: headers only');
  const partial = bytes(byMethod('GET', '206'));
  assert.ok(partial > 200 && partial < bytes(head) + 200, `206 of 100 bytes sent ${partial}`);
  for (const r of requests) assert.ok(Number(r['cs-bytes']) > 30, `cs-bytes ${r['cs-bytes']}`);
  const post = requests.find((r) => r['cs-method'] === 'POST' && r['cs-uri-query'] === '-' && r['sc-status'] === '200')!;
  assert.ok(Number(post['cs-bytes']) > Buffer.byteLength(body), 'an update check counts its body');
  assert.equal(byMethod('POST', '405')['cs(Referer)'], 'http://intranet.contoso.com/phones');

  // A download cut short logs what went out before the hang-up: at least what the phone read, far less than the image.
  const cutLine = requests.find((r) => r['cs-uri-query'] === 'probe=cut')!;
  assert.ok(bytes(cutLine) >= cut! && bytes(cutLine) < BIG_IMAGE, `cut short: read ${cut!}, logged ${bytes(cutLine)}`);
  assert.deepEqual([cutLine['s-ip'], cutLine['s-port']], ['127.0.0.1', String(port)], 'the server side of a connection already gone');
});

test('iis7: the seeds\' field set, correct W3C, read by goaccess with the README\'s format string; a change mid-day declares the new set', async () => {
  const { server, base, accessDir } = await serve('iis7', { accessLogFields: 'iis7' });
  try {
    const check = await simulateCheck(base, { ...DEFAULT_PHONE, version: '4.0.7577.4000' });
    await downloadOffer(check.response!);
    await server.close();
  } catch (e) {
    await server.close();
    throw e;
  }
  const lines = await accessLines(accessDir);
  assert.match(lines[0]!, /^#Software: ucupdates \S+$/);
  assert.equal(lines[1], '#Version: 1.0');
  assert.match(lines[2]!, /^#Date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.equal(lines[3], '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken');
  const requests = readW3c(lines);
  assert.equal(requests.length, 3);
  assert.match(lines[4]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 127\.0\.0\.1 POST \/RequestHandler\/ucdevice\.upx - \d+ - 127\.0\.0\.1 Microsoft\+UCPhone\+Device 200 0 0 \d+$/);
  assert.ok(IIS7, "the README's goaccess command for iis7");
  const read = await goaccess(await accessFiles(accessDir), IIS7);
  assert.equal(read.valid_requests, 3);
  assert.equal(read.failed_requests, 0);
  // The same command reads an OCS server's own IIS log (the seeds' lines).
  const seed = join(tmp.dir, 'u_ex090306.log');
  await writeFile(seed, [
    '#Software: Microsoft Internet Information Services 7.0',
    '#Version: 1.0',
    '#Date: 2009-03-06 16:00:51',
    '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken',
    '2009-03-06 17:07:20 10.1.1.90 POST /RequestHandler/ucdevice.upx - 443 - 10.1.1.123 Microsoft+UCPhone+Device 200 0 0 124',
    '2009-03-06 17:12:57 10.1.1.90 GET /DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt - 80 - 10.1.1.123 Microsoft+UCPhone+Device 200 0 0 137810',
    '',
  ].join('\r\n'));
  assert.deepEqual(await goaccess([seed], IIS7), { valid_requests: 2, failed_requests: 0, bandwidth: 0 });
  // What the defect was: goaccess's W3C preset reads none of the iis7 lines (sc-substatus is not a status).
  await assert.rejects(goaccess(await accessFiles(accessDir), W3C), /Parsed 3 lines producing the following errors/);

  // The same data folder again (a restart), then the setting changed while it runs: each line follows its #Fields.
  const again = await startTestServer(join(tmp.dir, 'iis7'));
  try {
    await simulateCheck(again.urls.http, { ...DEFAULT_PHONE, version: '4.0.7577.4000' });
    await updateSettings(again.store, { accessLogFields: 'iis85' }, 'test');
    await simulateCheck(again.urls.http, { ...DEFAULT_PHONE, version: '4.0.7577.4000' });
    await updateSettings(again.store, { accessLogFields: 'iis7' }, 'test');
    await simulateCheck(again.urls.http, { ...DEFAULT_PHONE, version: '4.0.7577.4000' });
  } finally {
    await again.close();
  }
  const after = await accessLines(accessDir);
  assert.deepEqual(
    after.filter((l) => l.startsWith('#Fields: ')).map((l) => l.split(' ').length - 1),
    [14, 14, 17, 14],
    'declared at the start, after the restart, and at each change',
  );
  assert.deepEqual(readW3c(after).slice(3).map((r) => Object.keys(r).length), [14, 17, 14]);
});
