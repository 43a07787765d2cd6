// Attack: a client on the phone network invents phones (a new MAC per update check, with a long user name) to grow
// the store without limit. The inventory holds at most inventoryMaxDevices phones: invented phones seen once make room
// for new ones after two days, else new phones are not recorded; real phones that checked in on two days stay, the
// admin API counts what the cap cost, and a real phone is still answered and recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PHONE, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { updateSettings } from '../../src/server/app/settings.js';
import type { RunningServer } from '../../src/server/compose.js';
import type { SqliteEngine } from '../../src/server/infra/db/engine.js';
import type { DashboardDto, DeviceListDto, InventoryFullDto } from '../../src/shared/inventory-api.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

const CAP = 200;
const REAL = 20;
const WAVE = 1_000;
const USER = 'u'.repeat(4_000); // as long as maxFieldChars lets through (the field bound is a separate defence)

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
let now = new Date(Date.UTC(2026, 5, 1, 8));
const day = (d: number, hour = 8) => new Date(Date.UTC(2026, 5, d, hour));

const phone = (mac: string): SimulatedPhone => ({ ...DEFAULT_PHONE, mac, serial: `SN${mac}`, userName: USER });
const realMac = (n: number) => `0004F2${String(n).padStart(6, '0')}`;
const inventedMac = (n: number) => `02BADD${n.toString(16).toUpperCase().padStart(6, '0')}`;

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'), { clock: () => now });
  await updateSettings(server.store, { inventoryMaxDevices: CAP, maxFieldChars: 4096 }, 'test');
});
after(async () => {
  await server.close();
  await tmp.remove();
});

async function checkAll(macs: string[]): Promise<void> {
  const queue = [...macs];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let mac = queue.shift(); mac; mac = queue.shift()) assert.equal((await simulateCheck(server.urls.http, phone(mac))).status, 200);
    }),
  );
}

async function api<T>(path: string): Promise<T> {
  const r = await fetch(`${server.urls.admin}/api/${path}`, { headers: { authorization: `Bearer ${server.local.launchToken}` } });
  assert.equal(r.status, 200);
  return (await r.json()) as T;
}

const stored = () => (server.store.engine as SqliteEngine).db.prepare('SELECT count(*) FROM devices').pluck().get() as number;
const lastSeen = async (mac: string) => (await server.store.devices.findAll([`mac:${mac}`])).get(`mac:${mac}`)?.lastSeen;
const overflow = async () => (await server.store.devices.overflow()) ?? { evicted: 0, refused: 0 };
const storeBytes = () => ['ucupdates.db', 'ucupdates.db-wal'].reduce((n, f) => n + (statSync(join(server.store.paths.dataDir, f), { throwIfNoEntry: false })?.size ?? 0), 0);

test('invented phones keep the inventory at its cap, make room only for each other, and a real phone is still recorded', async () => {
  const real = Array.from({ length: REAL }, (_, n) => realMac(n));
  // 1 June: the real phones check in; then 1,000 invented ones fill the inventory, the rest are not recorded.
  await checkAll(real);
  await eventually(() => assert.equal(stored(), REAL));
  const bytesBefore = storeBytes();
  now = day(1, 9);
  await checkAll(Array.from({ length: WAVE }, (_, n) => inventedMac(n)));
  await eventually(async () => assert.equal((await overflow()).refused, WAVE - (CAP - REAL)));
  assert.equal(stored(), CAP);
  assert.equal((await overflow()).evicted, 0, 'nothing seen once is two days old yet');

  // 2 June: the real phones check in again (their second day). 4 June: another 1,000 invented phones: those of the
  // first wave, seen once three days ago, make room; the real phones stay.
  now = day(2);
  await checkAll(real);
  await eventually(async () => assert.equal(await lastSeen(real.at(-1)!), day(2).toISOString()));
  now = day(4, 10);
  await checkAll(Array.from({ length: WAVE }, (_, n) => inventedMac(WAVE + n)));
  await eventually(async () => assert.equal((await overflow()).refused, 2 * WAVE - 2 * (CAP - REAL)));
  assert.equal(stored(), CAP);
  assert.equal((await overflow()).evicted, CAP - REAL, 'the first wave made room for the second');
  for (const mac of real) assert.equal(await lastSeen(mac), day(2).toISOString(), `real phone ${mac} is still there`);
  for (let n = 0; n < WAVE; n++) assert.equal(await lastSeen(inventedMac(n)), undefined);

  // 2,000 checks with 4 KB user names: the store grew by the cap's worth of rows (a name is in its row and in an
  // index: 200 x 8 KB) and a WAL (checkpointed at 1,000 pages: 4 MB), not by 2,000 rows (28 MB without the cap).
  const grown = storeBytes() - bytesBefore;
  assert.ok(grown < 8 * 1024 * 1024, `the database and its WAL grew by ${grown} bytes`);

  // The admin sees it on the dashboard and the Devices tab.
  const full: InventoryFullDto = { maxDevices: CAP, since: day(1, 9).toISOString(), evicted: CAP - REAL, refused: 2 * WAVE - 2 * (CAP - REAL) };
  assert.deepEqual((await api<DashboardDto>('dashboard')).full, full);
  assert.deepEqual((await api<DeviceListDto>('devices?limit=1')).full, full);

  // A real phone is still answered, and recorded: a known one at once; a new one once a phone seen once is two days old.
  now = day(4, 11);
  const known = await simulateCheck(server.urls.http, phone(real[0]!));
  assert.equal(known.status, 200);
  assert.equal(known.response!.numOfFiles, 0, 'answered (nothing to offer: no package is imported)');
  await eventually(async () => assert.equal(await lastSeen(real[0]!), day(4, 11).toISOString()));
  now = day(7);
  const fresh = realMac(REAL);
  assert.equal((await simulateCheck(server.urls.http, phone(fresh))).status, 200);
  await eventually(async () => assert.equal(await lastSeen(fresh), day(7).toISOString()));
  assert.equal(stored(), CAP);
  assert.equal((await api<DashboardDto>('dashboard')).full?.evicted, CAP - REAL + 1);

  // Raising the cap ends it: the notice goes, and the counts start again when the inventory next fills.
  await updateSettings(server.store, { inventoryMaxDevices: CAP + 100 }, 'test');
  assert.equal((await api<DashboardDto>('dashboard')).full, null);
  await simulateCheck(server.urls.http, phone(realMac(REAL + 1)));
  await eventually(async () => assert.equal(await server.store.devices.overflow(), undefined));
});
