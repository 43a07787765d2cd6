// The phone side end to end: a real server on loopback ports, a real store, real cabs, the phone simulator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { DEFAULT_PHONE, downloadOffer, httpRequest, phoneRequestBody, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { Store } from '../../src/server/app/store.js';
import { addTestDevice } from '../../src/server/app/test-devices.js';
import { startServer, type RunningServer } from '../../src/server/compose.js';
import { AUDIT_HEADER } from '../../src/server/domain/audit-format.js';
import { fileContent, interimPackage, multiDeviceFiles, multiDevicePackage, newerPackage } from '../fixtures/cabs.js';
import { eventually, silentLog, startTestServer, tempDir } from '../helpers.js';

let tmp: { dir: string; remove: () => Promise<void> };
let server: RunningServer;
let store: Store;
let base: string;

const TEST_MAC = '0021630F207B';
const ip8540 = (version: string, mac = TEST_MAC): SimulatedPhone => ({
  ...DEFAULT_PHONE,
  mac,
  serial: `SN${mac}`,
  vendor: 'LG-Nortel',
  model: 'IP8540',
  version,
  userName: 'ruisilva@demo.local',
});
const cx600 = (version: string, mac: string): SimulatedPhone => ({ ...DEFAULT_PHONE, mac, serial: `SN${mac}`, version });

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'));
  store = server.store;
  base = server.urls.http;
  const opts = { actor: 'test', kind: 'package' as const };
  await importPackage(store, await multiDevicePackage(join(tmp.dir, 'cabs')), { ...opts, fileName: 'UCUpdates.cab' });
  await importPackage(store, await interimPackage(join(tmp.dir, 'cabs')), { ...opts, kind: 'interim', fileName: 'OCInterim.cab' });
  await addTestDevice(store, { name: 'Rui desk', mac: '00-21-63-0f-20-7b' }, 'test');
});
after(async () => {
  await server.close();
  await tmp.remove();
});

const ruleId = async (model: string, locale = 'ENU') => (await store.rules.list()).find((r) => r.model === model && r.locale === locale)!.id;

test('seed scenario: an IP8540 test device at 1.0.522.34 gets the interim build, then 3.5.6907.0, then nothing', async () => {
  const first = await simulateCheck(base, ip8540('1.0.522.34'));
  assert.equal(first.status, 200);
  assert.equal(first.response!.baseUrl, `${base}/DeviceUpdateFiles_Int/OCInterim/ENU`);
  assert.equal(first.response!.files[0]!.version, '1.0.522.103');
  const interimFiles = await downloadOffer(first.response!);
  assert.deepEqual(interimFiles.map((f) => f.status), [200, 200]);

  const second = await simulateCheck(base, ip8540('1.0.522.103'));
  assert.equal(second.response!.baseUrl, `${base}/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE`);
  assert.equal(second.response!.externalBaseUrl, second.response!.baseUrl, 'no external URL configured: never blank, falls back');
  const files = await downloadOffer(second.response!);
  const want = multiDeviceFiles().filter((f) => f.path.startsWith('UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/'));
  assert.deepEqual(
    files.map((f) => f.sha256).sort(),
    want.map((f) => createHash('sha256').update(fileContent(f)).digest('hex')).sort(),
  );

  const third = await simulateCheck(base, ip8540('3.5.6907.0'));
  assert.equal(third.response!.numOfFiles, 0);
});

test('pending reaches test devices only; approve reaches everyone; roll back offers the older version', async () => {
  const other = 'AABBCCDDEEFF';
  assert.equal((await simulateCheck(base, cx600('4.0.7577.4000', TEST_MAC))).response!.files[0]?.version, '4.0.7577.4366');
  assert.equal((await simulateCheck(base, cx600('4.0.7577.4000', other))).response!.numOfFiles, 0);

  await applyRuleAction(store, 'approve', [await ruleId('CX600')], 'test');
  assert.equal((await simulateCheck(base, cx600('4.0.7577.4000', other))).response!.files[0]?.version, '4.0.7577.4366');

  await importPackage(store, await newerPackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'newer.cab' });
  await applyRuleAction(store, 'approve', [await ruleId('CX600')], 'test');
  assert.equal((await simulateCheck(base, cx600('4.0.7577.4366', other))).response!.files[0]?.version, '4.0.7577.4387');
  await applyRuleAction(store, 'rollback', [await ruleId('CX600')], 'test');
  const back = await simulateCheck(base, cx600('4.0.7577.4387', other));
  assert.equal(back.response!.files[0]?.version, '4.0.7577.4366');
  assert.match(back.response!.baseUrl, /\/4\.0\.7577\.4366\/CPE$/);
});

test('a change made by another process sharing the store (the CLI) is seen within POLL_MS', async () => {
  const cli = new Store(store.paths.dataDir);
  try {
    await applyRuleAction(cli, 'approve', [await ruleId('CX700', 'DEU')], 'cli:test');
  } finally {
    await cli.close();
  }
  // The engine polls for it every POLL_MS, and the catalog rebuilds itself then.
  await eventually(async () => {
    const r = await simulateCheck(base, { ...cx600('1.0.522.103', 'AABBCCDD0001'), model: 'CX700', locale: 'DEU' });
    assert.equal(r.response!.files[0]?.version, '3.5.6907.0');
  });
});

test('no rule for the locale: NumOfFiles 0 and LangList shows what exists', async () => {
  const r = await simulateCheck(base, { ...cx600('1.0.522.103', 'AABBCCDD0002'), model: 'CX700', locale: 'NLD' });
  assert.equal(r.response!.numOfFiles, 0);
  assert.deepEqual(r.response!.langList, ['DEU', 'ENU']);
});

test('the audit log has the OCS header and one exact line per check; the access log is W3C', async () => {
  await simulateCheck(base, ip8540('1.0.522.34'));
  await server.close(); // flushes the logs
  server = await startServer({ dataDir: store.paths.dataDir, overrides: { httpPort: 0, httpsPort: 0, adminPort: 0 }, log: silentLog });
  store = server.store;
  base = server.urls.http;
  const auditDir = join(store.paths.logDir, 'Server', 'Audit', 'imageUpdates');
  const [auditFile] = await readdir(auditDir);
  assert.match(auditFile!, /^RequestHandlerAuditLog_[a-z0-9.-]+_\d{8}\.log$/);
  const lines = (await readFile(join(auditDir, auditFile!), 'utf8')).split('\r\n');
  assert.equal(lines[0], AUDIT_HEADER);
  const line = lines.findLast((l) => l.includes('OCInterim'))!;
  assert.match(
    line,
    /^\d\d-\d\d-\d{4} \d\d:\d\d:\d\d,ruisilva@demo\.local,127\.0\.0\.1,UCPhone,\d\d-\d\d-\d{4} \d\d:\d\d:\d\d,"0021630F207B","SN0021630F207B","LG-Nortel","IP8540","A","ENU",cpe\.nbt;1\.0\.522\.34;01-01-1601 00:00:00,http:\/\/localhost:\d+\/DeviceUpdateFiles_Int\/OCInterim\/ENU\/CPE\.nbt;1\.0\.522\.103;\d\d-\d\d-\d{4} \d\d:\d\d:\d\d$/,
  );
  const accessDir = join(store.paths.logDir, 'Server', 'Access');
  const access = (await readFile(join(accessDir, (await readdir(accessDir))[0]!), 'utf8')).split('\r\n');
  assert.ok(access.includes('#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken sc-bytes cs-bytes'));
  const post = access.find((l) => l.includes(' POST /RequestHandler/ucdevice.upx '))!;
  assert.equal(post.split(' ').length, 17);
  assert.match(post, / Microsoft\+UCPhone\+Device - 200 0 0 \d+ \d+ \d+$/);
});

const IMAGE = 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE/CPE.nbt';
const imageBytes = () => fileContent(multiDeviceFiles().find((f) => f.path === IMAGE)!);

test('downloads: case-insensitive paths, length, strong ETag, 304, Range, HEAD', async () => {
  const url = `${base}/deviceupdatefiles_int/${IMAGE.toLowerCase()}`;
  const full = await httpRequest(url);
  assert.equal(full.status, 200);
  assert.deepEqual(full.body, imageBytes());
  assert.equal(full.headers['content-length'], String(imageBytes().length));
  assert.equal(full.headers['content-type'], 'application/octet-stream');
  const etag = full.headers.etag!;
  assert.equal(etag, `"${createHash('sha256').update(imageBytes()).digest('hex')}"`);
  assert.equal((await httpRequest(url, { headers: { 'If-None-Match': etag } })).status, 304);
  const part = await httpRequest(url, { headers: { Range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.deepEqual(part.body, imageBytes().subarray(100, 200));
  assert.equal((await httpRequest(url, { headers: { Range: 'bytes=999999-' } })).status, 416);
  const head = await httpRequest(url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal((await httpRequest(`${base}/UCDeviceUpdates/${IMAGE}`)).status, 200, 'the 1.0.452.0 alias');
  assert.equal((await httpRequest(url, { method: 'POST' })).status, 405);
});

/** GET with the path sent exactly as written (URL objects would resolve ../ and %2e%2e before sending). */
function rawGet(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: new URL(base).port, path }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

test('file URLs: traversal (plain and encoded) is refused, unknown files are 404', async () => {
  for (const p of [
    '/DeviceUpdateFiles_Int/../../etc/passwd',
    '/DeviceUpdateFiles_Int/UCPhone/%2e%2e/%2e%2e/ucupdates.db',
    '/DeviceUpdateFiles_Int/UCPhone/..%2f..%2fx',
    '/DeviceUpdateFiles_Int/UCPhone/%252e%252e/x',
    '/DeviceUpdateFiles_Int/a%5c..%5cb',
    '/DeviceUpdateFiles_Int/a/%00/b',
  ]) {
    assert.equal(await rawGet(p), 400, p);
  }
  assert.equal(await rawGet('/DeviceUpdateFiles_Int/UCPhone/Nope/x.nbt'), 404);
  assert.equal(await rawGet('/somewhere/else'), 404);
});

const post = (body: string | Buffer, path = '/RequestHandler/ucdevice.upx') =>
  httpRequest(`${base}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'text/xml' } });

test('bad requests get a plain 400 with the reason, never a stack trace', async () => {
  const cases = {
    malformed: '<Request><Model>CX600</Request>',
    xxe: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Request><Model>&x;</Model></Request>',
    billion: '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Request>&b;</Request>',
    empty: '',
  };
  for (const [name, body] of Object.entries(cases)) {
    const r = await post(body);
    assert.equal(r.status, 400, name);
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(r.body.toString(), /^Bad request: /);
    assert.doesNotMatch(r.body.toString(), /at .*\.ts|Error:/);
  }
});

test('an unknown device gets a well-formed answer; a MAC field that is not a MAC a 400 naming it, and no phone is recorded', async () => {
  const unknown = await simulateCheck(base, { ...cx600('1.0.0.0', '112233445566'), vendor: 'Nobody', model: 'X1' });
  assert.equal(unknown.response!.numOfFiles, 0);
  const badMac = await simulateCheck(base, { ...cx600('4.0.7577.4000', '12345'), serial: 'SN-BAD-MAC' });
  assert.equal(badMac.status, 400);
  assert.equal(badMac.raw, 'Bad request: "macaddress" is not a MAC address (12 hex digits, e.g. 00-21-63-0F-20-7B).');
  // The good check after it is recorded: once it is there, the refused one would have been too.
  await simulateCheck(base, cx600('4.0.7577.4000', '0004F2BADBAD'));
  await eventually(async () => assert.ok((await server.store.devices.findAll(['mac:0004F2BADBAD'])).size));
  assert.equal((await server.store.devices.findAll(['serial:SN-BAD-MAC'])).size, 0);
});

test('the Host header names the BaseURL only when it could be a host name; a longer one is not believed', async () => {
  const body = phoneRequestBody(cx600('4.0.7577.4000', TEST_MAC));
  const named = await httpRequest(`${base}/RequestHandler/ucdevice.upx`, { method: 'POST', body, headers: { Host: 'pool01.contoso.com' } });
  assert.match(named.body.toString(), /<BaseURL>http:\/\/pool01\.contoso\.com\/DeviceUpdateFiles_Int\//);
  const long = await httpRequest(`${base}/RequestHandler/ucdevice.upx`, { method: 'POST', body, headers: { Host: `${'a'.repeat(250)}.contoso.com` } });
  assert.match(long.body.toString(), /<BaseURL>http:\/\/127\.0\.0\.1:\d+\/DeviceUpdateFiles_Int\//);
});

test('a 100 MB body is refused with 413 without reading it all', async () => {
  const port = Number(new URL(base).port);
  const started = Date.now();
  const { status, sent } = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
    let sent = 0;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/RequestHandler/ucdevice.upx', headers: { 'Content-Type': 'text/xml', 'Transfer-Encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, sent });
      req.destroy();
    });
    req.on('error', (e) => (sent > 0 ? undefined : reject(e)));
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const pump = () => {
      while (sent < 100 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  assert.equal(status, 413);
  assert.ok(sent < 100 * 1024 * 1024, `the server answered before the whole body was sent (${sent} bytes sent)`);
  assert.ok(Date.now() - started < 30_000);
  const declared = await httpRequest(`${base}/RequestHandler/ucdevice.upx`, { method: 'POST', body: Buffer.alloc(70 * 1024, 'a') });
  assert.equal(declared.status, 413);
});

test('external checks: 401 NTLM challenge by default; anonymous when set; externalUrl used for ExternalBaseURL', async () => {
  const phone = cx600('4.0.7577.4000', TEST_MAC);
  const denied = await simulateCheck(base, phone, { external: true });
  assert.equal(denied.status, 401);
  const res = await post(phoneRequestBody(phone), '/RequestHandlerExt/ucdevice.upx');
  assert.equal(res.headers['www-authenticate'], 'NTLM');
  assert.equal((await httpRequest(`${base}/DeviceUpdateFiles_Ext/${IMAGE}`)).status, 401);

  await updateSettings(store, { externalAuth: 'anonymous', externalUrl: 'https://lyncext.contoso.com' }, 'test');
  const ok = await simulateCheck(base, phone, { external: true });
  assert.equal(ok.status, 200);
  assert.equal(ok.response!.externalBaseUrl, 'https://lyncext.contoso.com/DeviceUpdateFiles_Ext/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE');
  assert.match(ok.response!.baseUrl, /^http:\/\/localhost:\d+\/DeviceUpdateFiles_Int\//);
  assert.equal((await httpRequest(`${base}/DeviceUpdateFiles_Ext/${IMAGE}`)).status, 200);

  await updateSettings(store, { externalAuth: 'trust-proxy', trustedProxies: ['10.9.9.9'] }, 'test');
  assert.equal((await simulateCheck(base, phone, { external: true })).status, 403);
  await updateSettings(store, { trustedProxies: ['127.0.0.1'] }, 'test');
  assert.equal((await simulateCheck(base, phone, { external: true })).status, 200);
  await updateSettings(store, { externalAuth: 'ntlm-challenge', externalUrl: '' }, 'test');
});

test('a browser GET of ucdevice.upx shows the server answering; the HTTPS listener serves the same', async () => {
  const r = await httpRequest(`${base}/RequestHandler/ucdevice.upx`);
  assert.equal(r.status, 200);
  assert.match(r.body.toString(), /<ServerVersion>3\.5\.6907\.0<\/ServerVersion>/);
  const tls = await simulateCheck(server.urls.https, cx600('4.0.7577.4000', TEST_MAC), { insecure: true });
  assert.equal(tls.status, 200);
  assert.match(tls.response!.baseUrl, /^https:\/\/localhost:\d+\/DeviceUpdateFiles_Int\//);
});

test('raw capture records request bodies when enabled', async () => {
  await updateSettings(store, { captureEnabled: true }, 'test');
  await post('<Request><Model>CAPTURED-1</Model></Request>');
  await updateSettings(store, { captureEnabled: false }, 'test');
  await post('<Request><Model>NOT-CAPTURED</Model></Request>');
  await server.close();
  server = await startServer({ dataDir: store.paths.dataDir, overrides: { httpPort: 0, httpsPort: 0, adminPort: 0 }, log: silentLog });
  store = server.store;
  base = server.urls.http;
  const dir = join(store.paths.logDir, 'Capture');
  const text = (await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), 'utf8')))).join('');
  assert.match(text, /CAPTURED-1/);
  assert.doesNotMatch(text, /NOT-CAPTURED/);
});
