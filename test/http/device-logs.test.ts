// Phone log uploads on a real server: a POST to ucdevice.upx naming a log (our guess of the wire, phone/dialect.ts),
// kept under Logs/Client/<Type>/<phone>/, listed and downloaded through the admin API, refused in words, and
// deleted after the retention time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PHONE, httpRequest, simulateCheck } from '../../src/cli/phone-simulator.js';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { pruneDeviceLogs } from '../../src/server/app/device-logs.js';
import type { RunningServer } from '../../src/server/compose.js';
import type { DeviceListDto, DeviceLogDto } from '../../src/shared/inventory-api.js';
import { roomyBudget } from '../fixtures/log-budget.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
let cookie: string;
let now = new Date('2026-12-01T10:00:00.000Z');
const PHONE = { ...DEFAULT_PHONE, mac: '0021630F207B', serial: 'C185H001209' };

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'), { clock: () => now });
  await setAdmin(server.store, 'vic', 'viewer-password-1', 'viewer', 'test');
  const r = await fetch(`${server.urls.admin}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'vic', password: 'viewer-password-1' }),
  });
  cookie = /^([^;]+)/.exec(r.headers.get('set-cookie')!)![1]!;
  assert.equal((await simulateCheck(server.urls.http, PHONE)).status, 200);
  // Logs are taken only from phones in the inventory, which records a check within a second.
  await eventually(async () => assert.ok(await server.store.devices.knows(PHONE.mac, ''), 'the inventory has not recorded the phone yet'));
});
after(async () => {
  await server.close();
  await tmp.remove();
});

const upload = (query: string, body: Buffer | string) =>
  httpRequest(`${server.urls.http}/RequestHandler/ucdevice.upx?${query}`, { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } });
const api = async <T>(path: string) => {
  const res = await fetch(`${server.urls.admin}/api${path}`, { headers: { cookie } });
  return { status: res.status, headers: res.headers, body: res.headers.get('content-type')?.includes('json') ? ((await res.json()) as T) : Buffer.from(await res.arrayBuffer()) };
};
const phoneId = async () => {
  let id = 0;
  await eventually(async () => {
    const list = (await api<DeviceListDto>('/devices')).body as DeviceListDto;
    id = list.devices.find((d) => d.mac === PHONE.mac)!.id;
  });
  return id;
};

test('a CE log is kept under Logs/Client/CELog/<MAC>/, listed on the phone, and downloaded as it was sent', async () => {
  const content = Buffer.from([0x00, 0x01, 0xfe, 0xff, ...Buffer.from('CE log line\r\n')]);
  const r = await upload('LogType=celog&FileName=ce20261201.clg&MacAddress=00-21-63-0F-20-7B', content);
  assert.equal(r.status, 200, r.body.toString());
  const id = await phoneId();
  const logs = (await api<DeviceLogDto[]>(`/devices/${id}/logs`)).body as DeviceLogDto[];
  assert.equal(logs.length, 1);
  assert.deepEqual({ ...logs[0], id: 0 }, { id: 0, type: 'CELog', fileName: 'ce20261201.clg', size: content.length, receivedAt: now.toISOString() });
  const onDisk = join(server.store.paths.logDir, 'Client', 'CELog', '0021630F207B', '20261201T100000-000Z-ce20261201.clg');
  assert.deepEqual(readFileSync(onDisk), content);
  const file = await api(`/devices/${id}/logs/${logs[0]!.id}`);
  assert.equal(file.status, 200);
  assert.deepEqual(file.body, content);
  assert.match(file.headers.get('content-disposition') ?? '', /^attachment; filename="?ce20261201\.clg"?$/);
  assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
});

test('a RoundTable configuration sent with the serial number only is the same phone\'s', async () => {
  assert.equal((await upload('type=Config&file=RTConfig.xml&serial=C185H001209', '<config/>')).status, 200);
  const id = await phoneId();
  const logs = (await api<DeviceLogDto[]>(`/devices/${id}/logs`)).body as DeviceLogDto[];
  assert.deepEqual(logs.map((l) => `${l.type} ${l.fileName}`).sort(), ['CELog ce20261201.clg', 'Config RTConfig.xml']);
  assert.ok(existsSync(join(server.store.paths.logDir, 'Client', 'Config', 'serial-C185H001209')));
});

test('refusals say why, and keep nothing', async () => {
  const before = (await server.store.deviceLogs.listFor(PHONE.mac, PHONE.serial)).length;
  for (const [query, body, status, text] of [
    ['LogType=Kernel&FileName=a.clg&Mac=0021630F207B', 'x', 400, /log type "Kernel" is not accepted/],
    ['LogType=Watson&FileName=a.exe&Mac=0021630F207B', 'x', 415, /accepted extension/],
    ['LogType=Watson&FileName=a.kdmp', 'x', 400, /no MAC address or serial number/],
    ['LogType=Watson&FileName=a.kdmp&Mac=0021630F207B', '', 400, /empty/],
    ['LogType=Watson&FileName=big.kdmp&Mac=0021630F207B', Buffer.alloc(1_024_001), 413, /larger than 1024000 bytes/],
  ] as const) {
    const r = await upload(query, body);
    assert.equal(r.status, status, `${query}: ${r.body.toString()}`);
    assert.match(r.body.toString(), text);
  }
  assert.equal((await server.store.deviceLogs.listFor(PHONE.mac, PHONE.serial)).length, before);
  assert.equal((await api('/devices/999999/logs')).status, 404);
  const id = await phoneId();
  assert.equal((await api(`/devices/${id}/logs/999999`)).status, 404);
});

test('a name from the phone cannot leave its folder', async () => {
  assert.equal((await upload('LogType=CELog&FileName=..%2F..%2F..%2Fserver.json.clg&Mac=0021630F207B', 'x')).status, 200);
  const log = (await server.store.deviceLogs.listFor(PHONE.mac, '')).find((l) => l.fileName.includes('server.json'))!;
  assert.match(log.relPath, /^Client\/CELog\/0021630F207B\/\d{8}T\d{6}-\d{3}Z-server\.json\.clg$/);
});

test('the same log twice at the same moment: one is kept, the other refused in words', async () => {
  const [first, second] = await Promise.all(['once', 'twice'].map((text) => upload('LogType=CELog&FileName=same.clg&Mac=0021630F207B', text)));
  assert.deepEqual([first!.status, second!.status].sort(), [200, 409]);
  assert.match([first!, second!].find((r) => r.status === 409)!.body.toString(), /^Log refused: the same log of this phone arrived twice in the same millisecond\.$/);
  assert.equal((await server.store.deviceLogs.listFor(PHONE.mac, '')).filter((l) => l.fileName === 'same.clg').length, 1);
});

test('logs older than the retention time are deleted, files and list', async () => {
  const kept = await server.store.deviceLogs.listFor(PHONE.mac, PHONE.serial);
  now = new Date(now.getTime() + 11 * 86_400_000);
  assert.equal(await pruneDeviceLogs(server.store, roomyBudget(server.store.paths.logDir)), kept.length);
  assert.deepEqual(await server.store.deviceLogs.listFor(PHONE.mac, PHONE.serial), []);
  for (const l of kept) assert.equal(existsSync(join(server.store.paths.logDir, ...l.relPath.split('/'))), false, l.relPath);
});
