// Pool mode end to end: servers sharing one store on a real throwaway PostgreSQL cluster, phones on their loopback
// listeners, real cabs. An import on one node is served by the other; an approval on the other is followed by the
// first; a check on one and the download from the other make one phone, downloaded; a node killed with SIGKILL
// leaves the other serving; PostgreSQL stopped and started again, the nodes keep answering phones, refuse admin
// changes in words, and recover by themselves (the observations of the outage included).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_PHONE, downloadOffer, httpRequest, phoneRequestBody, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { parseUpdateResponse } from '../../src/server/phone/dialect.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { listDevices } from '../../src/server/app/inventory.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { addTestDevice } from '../../src/server/app/test-devices.js';
import type { RunningServer } from '../../src/server/compose.js';
import type { ServerStatusDto } from '../../src/shared/admin-api.js';
import { deviceQuery } from '../../src/shared/inventory-api.js';
import { cliCommand } from '../cli/cli-process.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';
import { pgMissing, startPgCluster, type PgCluster } from '../pg-cluster.js';

const skip = pgMissing();
let tmp: Awaited<ReturnType<typeof tempDir>>;
let cluster: PgCluster;
let a: RunningServer;
let b: RunningServer;

const OLD = '4.0.7577.4000';
const CU7 = '4.0.7577.4366'; // the multi package's CX600 version
const phone = (n: number): SimulatedPhone => ({ ...DEFAULT_PHONE, mac: `0004F2DD${String(n).padStart(4, '0')}`, serial: `SN-DD-${n}`, version: OLD });
const offered = async (server: RunningServer, p: SimulatedPhone) => (await simulateCheck(server.urls.http, p)).response!.files[0]?.version ?? null;
const deviceOf = async (server: RunningServer, p: SimulatedPhone) =>
  (await listDevices(server.store, deviceQuery.parse({ limit: '100', q: p.serial }))).devices.find((d) => d.serial === p.serial);

async function statusOf(server: RunningServer): Promise<ServerStatusDto> {
  const res = await fetch(`${server.urls.admin}/api/status`, { headers: { authorization: `Bearer ${server.local.launchToken}` } });
  return (await res.json()) as ServerStatusDto;
}

before(async () => {
  if (skip) return;
  tmp = await tempDir();
  cluster = await startPgCluster();
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

test('an import on one node is offered by the other, whose cache fetches and verifies the images', { skip }, async () => {
  const tester = phone(1);
  await importPackage(a.store, await multiDevicePackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  await addTestDevice(a.store, { name: 'desk', mac: tester.mac }, 'test');
  // Pending versions go to test devices only: the other node offers it once it has heard of the import.
  assert.equal(await eventually(async () => (await offered(b, tester)) ?? assert.fail('not offered yet')), CU7);
  const r = await simulateCheck(b.urls.http, tester);
  const files = await downloadOffer(r.response!);
  assert.ok(files.length > 0 && files.every((f) => f.status === 200), 'the other node serves the image files');
});

test('an approval on the second node is followed by the first', { skip }, async () => {
  const everyone = phone(2);
  assert.equal(await offered(a, everyone), null, 'nothing approved yet');
  const rule = (await b.store.rules.list()).find((r) => r.model === DEFAULT_PHONE.model && r.locale === 'ENU' && r.pending === CU7)!;
  await applyRuleAction(b.store, 'approve', [rule.id], 'test');
  assert.equal(await eventually(async () => (await offered(a, everyone)) ?? assert.fail('not offered yet')), CU7);
});

test('a check on one node and the download from the other make one phone, downloaded', { skip }, async () => {
  // Behind the balancer (a trusted proxy, a setting shared by the pool) each phone has its own address, as on a LAN.
  await updateSettings(a.store, { trustedProxies: ['127.0.0.1'] }, 'test');
  const p = phone(3);
  const from = { 'X-Forwarded-For': '10.1.2.3' };
  const check = await httpRequest(`${a.urls.http}/RequestHandler/ucdevice.upx`, { method: 'POST', body: phoneRequestBody(p), headers: { 'Content-Type': 'text/xml', ...from } });
  const r = parseUpdateResponse(check.body.toString('utf8'));
  assert.equal(r.files[0]?.version, CU7);
  // A phone downloads seconds after its check: by then the first node has written what it was offered.
  await eventually(async () => assert.equal((await deviceOf(b, p))?.state, 'offered'));
  const base = r.baseUrl.replace(`:${new URL(a.urls.http).port}`, `:${new URL(b.urls.http).port}`);
  for (const name of [r.files[0]!.fileName, r.files[0]!.signatureFileName]) {
    assert.equal((await httpRequest(`${base}/${encodeURIComponent(name)}`, { headers: from })).status, 200, `${name} from the second node`);
  }
  const d = await eventually(async () => {
    const found = await deviceOf(a, p);
    assert.equal(found?.state, 'downloaded');
    return found!;
  });
  const all = await listDevices(b.store, deviceQuery.parse({ limit: '100', q: p.serial }));
  assert.equal(all.devices.filter((x) => x.serial === p.serial).length, 1, 'one phone, whichever node saw what');
  assert.equal(d.offeredVersion, CU7);
  assert.equal(d.address, '10.1.2.3');
});

test('a node killed with SIGKILL leaves the other serving', { skip }, async () => {
  const [node, args] = cliCommand(['--data', join(tmp.dir, 'c'), '--pool', cluster.url, 'serve', '--http-port', '0', '--https-port', '0', '--admin-port', '0']);
  const child: ChildProcess = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, UCUPDATES_DATA: '' } });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const url = await eventually(() => /phones: +(http:\/\/localhost:\d+)/.exec(out)?.[1] ?? assert.fail(`not serving yet: ${out}`), 60_000);
  const p = phone(4);
  assert.equal((await simulateCheck(url, p)).response!.files[0]?.version, CU7, 'the third node answers like the others');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  await assert.rejects(simulateCheck(url, p), 'the killed node is gone');
  assert.equal(await offered(a, p), CU7, 'the first node keeps serving');
  assert.equal(await offered(b, phone(5)), CU7, 'and so does the second');
});

test('PostgreSQL stopped: phones are answered, admin changes refused in words; started again: the nodes recover by themselves', { skip }, async () => {
  const during = phone(6);
  cluster.stop();
  try {
    assert.equal(await offered(a, during), CU7, 'answered from the last snapshot');
    assert.equal(await offered(b, phone(7)), CU7);
    const res = await fetch(`${a.urls.admin}/api/test-devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.local.launchToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', mac: '0004F2DD9999' }),
    });
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'busy');
    assert.match(body.error.message, /cannot be reached/);
    assert.match(body.error.message, /Nothing was changed/);
    const status = await statusOf(a);
    assert.equal(status.store.pool, cluster.url, 'the status names the pool');
    assert.match(status.store.problem ?? '', /cannot be reached/, 'and why its store does not answer');
  } finally {
    cluster.start();
  }
  // Without a restart: the check made during the outage reaches the inventory, and admin changes work again.
  await eventually(async () => assert.equal((await deviceOf(b, during))?.state, 'offered'), 30_000);
  await eventually(() => addTestDevice(a.store, { name: 'after the outage', mac: '0004F2DD9998' }, 'test'), 30_000);
  assert.ok((await b.store.testDevices.list()).some((d) => d.name === 'after the outage'));
  assert.equal((await statusOf(a)).store.problem, null);
});

test('PostgreSQL away: the observations a node holds are bounded by inventoryMaxWaiting, the rest dropped and counted', { skip }, async () => {
  await updateSettings(a.store, { inventoryMaxWaiting: 1000 }, 'test'); // the pool's setting, read by a node at start
  const c = await startTestServer(join(tmp.dir, 'c2'), { pool: cluster.url });
  try {
    cluster.stop();
    try {
      // Invented phones, as any client on the phone network could send while the database is away.
      for (let n = 0; n < 1300; n++) assert.equal((await simulateCheck(c.urls.http, phone(5000 + n))).status, 200);
      const { store } = await statusOf(c);
      assert.equal(store.waiting, 1000, 'held up to the bound');
      assert.equal(store.dropped, 300, 'the rest dropped and counted');
    } finally {
      cluster.start();
    }
    await eventually(async () => assert.equal((await statusOf(c)).store.waiting, 0), 30_000);
    assert.ok(await deviceOf(a, phone(5000)), 'what was held is written once the database is back');
  } finally {
    await c.close();
  }
});

