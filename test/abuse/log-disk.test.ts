// Filling the disk through Logs/ (issue 9), as a client on the phone network would: log uploads from phones the
// server never saw, uploads past the quotas from phones it knows, a flood of update checks over several days with the
// smallest budget, and a restart over a Logs folder already past its budget. Each ends with a real phone answered.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { DEFAULT_PHONE, httpRequest, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { deviceHistory } from '../../src/server/app/device-history.js';
import { auditFileName } from '../../src/server/domain/audit-format.js';
import { listDevices } from '../../src/server/app/inventory.js';
import { updateSettings } from '../../src/server/app/settings.js';
import type { RunningServer } from '../../src/server/compose.js';
import { PARTS_PER_BUDGET } from '../../src/server/infra/logs/log-budget.js';
import { logFolders } from '../../src/server/infra/logs/log-folders.js';
import { renderUpdateRequest } from '../../src/server/phone/dialect.js';
import { deviceQuery } from '../../src/shared/inventory-api.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

const MB = 1024 * 1024;
const DAY = 86_400_000;

/** Bytes of every file under dir, and the files (relative paths). */
async function onDisk(dir: string): Promise<{ bytes: number; files: Map<string, number> }> {
  const files = new Map<string, number>();
  if (!existsSync(dir)) return { bytes: 0, files };
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    files.set(path.slice(dir.length + 1).replaceAll('\\', '/'), (await stat(path)).size);
  }
  return { bytes: [...files.values()].reduce((a, b) => a + b, 0), files };
}

/** A server in a fresh data folder, closed and removed after the test. */
async function serve(t: TestContext, opts: Parameters<typeof startTestServer>[1] = {}): Promise<RunningServer> {
  const tmp = await tempDir();
  const server = await startTestServer(join(tmp.dir, 'data'), opts);
  t.after(async () => {
    await server.close();
    await tmp.remove();
  });
  return server;
}

const upload = (server: RunningServer, query: string, body: Buffer) =>
  httpRequest(`${server.urls.http}/RequestHandler/ucdevice.upx?${query}`, { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } });

/** Phones the inventory knows: each checks in once, and is recorded within a second. */
async function checkIn(server: RunningServer, phones: SimulatedPhone[]): Promise<void> {
  for (const p of phones) assert.equal((await simulateCheck(server.urls.http, p)).status, 200);
  // With a message: a failed assert.ok without one parses this file to write it, slower than eventually's retries.
  await eventually(async () => {
    const known = await Promise.all(phones.map((p) => server.store.devices.knows(p.mac, '')));
    assert.ok(known.every(Boolean), 'the inventory has not recorded the phones yet');
  });
}

/** Runs fn over items, `width` at a time. */
async function inParallel<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

const phone = (i: number): SimulatedPhone => ({ ...DEFAULT_PHONE, mac: `0004F2${i.toString(16).toUpperCase().padStart(6, '0')}`, serial: `SN${i}` });

test('300 uploads of 1 MB from 300 invented MACs are all refused, and nothing is stored', async (t) => {
  const server = await serve(t);
  const real = phone(1);
  await checkIn(server, [real]);
  const body = Buffer.alloc(1_000_000, 'A');
  const macs = Array.from({ length: 300 }, (_, i) => `02${i.toString(16).padStart(10, '0')}`);
  const answers = await inParallel(macs, 8, (mac) => upload(server, `LogType=CELog&FileName=ce.clg&MacAddress=${mac}`, body));
  for (const r of answers) {
    assert.equal(r.status, 403);
    assert.match(r.body.toString(), /^Log refused: logs are taken only from phones this server knows/);
  }
  assert.equal((await onDisk(logFolders(server.store.paths.logDir).client)).bytes, 0);
  assert.equal(await server.store.deviceLogs.totalBytes(), 0);
  // The phone the server knows is still answered, and its log kept.
  assert.equal((await simulateCheck(server.urls.http, real)).status, 200);
  assert.equal((await upload(server, `LogType=CELog&FileName=ce.clg&MacAddress=${real.mac}`, Buffer.from('log'))).status, 200);
});

test('an unknown phone is refused before its body is read: the answer comes while the megabyte is still unsent', { timeout: 10_000 }, async (t) => {
  const server = await serve(t);
  const { port } = new URL(server.urls.http);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  t.after(() => socket.destroy());
  socket.write('POST /RequestHandler/ucdevice.upx?LogType=CELog&FileName=ce.clg&MacAddress=020000000001 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n');
  socket.write(Buffer.alloc(1000, 'A')); // a thousandth of it; the rest never comes
  const answer = await new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1\.1 403 /);
  assert.match(answer, /Log refused: logs are taken only from phones this server knows/);
});

test("known phones: one phone's quota and all phones' quota hold, also when a phone sends its uploads at once", async (t) => {
  const server = await serve(t);
  await updateSettings(server.store, { deviceLogMaxBytes: 300_000, deviceLogMaxPerPhoneMB: 1, deviceLogMaxTotalMB: 2 }, 'test');
  const [a, b, c] = [phone(1), phone(2), phone(3)];
  await checkIn(server, [a!, b!, c!]);
  const body = Buffer.alloc(300_000, 'L');
  const send = (p: SimulatedPhone, n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => upload(server, `LogType=Watson&FileName=dump${i}.dmp&MacAddress=${p.mac}`, body)));

  // Three of 300 kB fit 1 MB; the fourth and fifth do not, though all five arrive together.
  const fromA = await send(a!, 5);
  assert.deepEqual(fromA.map((r) => r.status).sort(), [200, 200, 200, 413, 413]);
  assert.match(fromA.find((r) => r.status === 413)!.body.toString(), /this phone's logs would exceed their quota of 1048576 bytes/);
  assert.deepEqual((await send(b!, 3)).map((r) => r.status), [200, 200, 200]);
  // 1.8 MB kept: a third phone's first log would pass 2 MB for all phones.
  const fromC = await send(c!, 1);
  assert.equal(fromC[0]!.status, 413);
  assert.match(fromC[0]!.body.toString(), /the phones' logs would exceed their quota of 2097152 bytes/);

  const client = await onDisk(logFolders(server.store.paths.logDir).client);
  assert.equal(client.bytes, 6 * 300_000);
  assert.equal(client.files.size, 6);
  assert.equal(await server.store.deviceLogs.totalBytes(), 6 * 300_000);
  assert.equal((await simulateCheck(server.urls.http, c!)).status, 200);
});

test('a flood of update checks over four days keeps Logs within the smallest budget, in parts, deleting the oldest only', async (t) => {
  const start = new Date('2026-12-01T10:00:00.000Z');
  let now = start;
  const server = await serve(t, { clock: () => now });
  await updateSettings(server.store, { logMaxTotalMB: 10, captureEnabled: true }, 'test');
  const budget = 10 * MB;
  const part = budget / PARTS_PER_BUDGET;
  const logDir = server.store.paths.logDir;
  const flooder = phone(7);
  // A check reporting 32 modules (the most a check may) with 236-character names: ~23 kB of logs in all.
  const body = renderUpdateRequest({
    ...flooder,
    macRaw: flooder.mac,
    requestTime: '',
    modules: Array.from({ length: 32 }, (_, i) => ({ fileName: `${'m'.repeat(230)}${i}.nbt`, version: '1.0.0.0', timestamp: '01-01-1601 00:00:00' })),
  });
  const check = () => httpRequest(`${server.urls.http}/RequestHandler/ucdevice.upx`, { method: 'POST', body, headers: { 'Content-Type': 'text/xml' } });

  const days = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];
  const perDay = [100, 100, 100, 280]; // ~2.3 MB a day, then ~6.4 MB today: ~13 MB for 10
  for (let d = 0; d < days.length; d++) {
    for (let i = 0; i < perDay[d]!; i++) {
      now = new Date(start.getTime() + d * DAY + i * 30_000);
      assert.equal((await check()).status, 200);
      if (i % 20 === 0) assert.ok((await onDisk(logDir)).bytes <= budget);
    }
  }
  const all = await onDisk(logDir);
  assert.ok(all.bytes <= budget, `${all.bytes} bytes under Logs`);
  assert.ok(all.bytes >= budget - 3 * part, `${all.bytes} bytes: no more deleted than the budget forces`);
  for (const [name, size] of all.files) assert.ok(size <= part, `${name}: ${size} bytes`);
  const names = [...all.files.keys()];
  const captures = (day: string) => names.filter((n) => n.startsWith(`Capture/capture-${day}`));
  const audits = (day: string) => names.filter((n) => n.startsWith(`Server/Audit/imageUpdates/RequestHandlerAuditLog_`) && n.includes(`_${day.slice(8)}${day.slice(5, 7)}${day.slice(0, 4)}`));
  const checksIn = (files: string[]) =>
    files.reduce((n, f) => n + readFileSync(join(logDir, f), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('Logging DateTime')).length, 0);

  // Today's logs are split into parts of a sixteenth of the budget, the first one keeping the OCS/IIS name.
  assert.ok(captures(days[3]!).length >= 6, captures(days[3]!).join());
  assert.ok(audits(days[3]!).length >= 3, audits(days[3]!).join());
  assert.ok(audits(days[3]!).some((n) => /_04122026\.log$/.test(n)));
  assert.equal(checksIn(audits(days[3]!)), perDay[3]);
  // Parts, not days, go, oldest first: the first day has gone, the second is partly kept, the third whole.
  assert.deepEqual([...captures(days[0]!), ...audits(days[0]!)], []);
  const secondDay = checksIn(captures(days[1]!));
  assert.ok(secondDay > 0 && secondDay < perDay[1]!, `${secondDay} captures of the second day kept`);
  assert.equal(checksIn(captures(days[2]!)), perDay[2]);
  assert.equal(checksIn(audits(days[2]!)), perDay[2]);
  assert.ok(names.includes(`Server/Access/u_ex${days[2]!.slice(2).replaceAll('-', '')}.log`));

  // The phone's history reads every part of the audit log kept, and a real phone is still answered.
  const id = await eventually(async () => (await listDevices(server.store, deviceQuery.parse({ q: flooder.mac }))).devices[0]!.id);
  const history = await deviceHistory(server.store, id, 1000);
  assert.equal(history.entries.length, perDay[3]! + perDay[2]! + checksIn(audits(days[1]!)));
  assert.equal((await simulateCheck(server.urls.http, phone(8))).status, 200);
});

test("after a restart, the first pass brings an over-budget Logs folder within budget, phones' uploads included", async (t) => {
  const tmp = await tempDir();
  const dataDir = join(tmp.dir, 'data');
  t.after(() => tmp.remove());
  const known = phone(1);
  const first = await startTestServer(dataDir);
  const logDir = first.store.paths.logDir;
  const dirs = logFolders(logDir);
  let uploads: string[];
  try {
    await updateSettings(first.store, { deviceLogMaxBytes: 1_100_000 }, 'test');
    await checkIn(first, [known]);
    for (let i = 0; i < 3; i++) {
      assert.equal((await upload(first, `LogType=Watson&FileName=d${i}.dmp&MacAddress=${known.mac}`, Buffer.alloc(1_000_000, 'W'))).status, 200);
    }
    uploads = (await first.store.deviceLogs.listFor(known.mac, '')).map((l) => join(logDir, ...l.relPath.split('/')));
    await updateSettings(first.store, { logMaxTotalMB: 10 }, 'test');
  } finally {
    await first.close();
  }
  // While it was down: 15 MB of older server logs, the uploads older still, and an upload a crash left half written.
  const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
  for (const path of uploads) await utimes(path, daysAgo(6), daysAgo(6));
  const planted: string[] = [];
  for (let i = 0; i < 15; i++) {
    const path = join([dirs.audit, dirs.access, dirs.capture][i % 3]!, `old-${String(i).padStart(2, '0')}.log`);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, Buffer.alloc(MB, 'x'));
    await utimes(path, daysAgo(5 - i / 5), daysAgo(5 - i / 5));
    planted.push(path);
  }
  const partial = join(dirs.client, 'Watson', known.mac, 'x.dmp.partial');
  await writeFile(partial, Buffer.alloc(MB));
  assert.ok((await onDisk(logDir)).bytes > 18 * MB);

  const second = await startTestServer(dataDir);
  t.after(() => second.close());
  const after = await onDisk(logDir);
  assert.ok(after.bytes <= 10 * MB, `${after.bytes} bytes under Logs`);
  for (const path of [...uploads, partial]) assert.equal(existsSync(path), false, path);
  assert.deepEqual(await second.store.deviceLogs.listFor(known.mac, ''), [], 'the deleted uploads are no longer listed');
  // Oldest first: the newest planted files are kept.
  for (const path of planted.slice(-8)) assert.equal(existsSync(path), true, path);
  assert.equal((await simulateCheck(second.urls.http, known)).status, 200);
});

test('a full disk: uploads get 507 and leave nothing, log lines are dropped, and the server log says so once per outage', { skip: !existsSync('/dev/full') }, async (t) => {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const now = new Date('2026-12-01T10:00:00.000Z');
  const server = await serve(t, { clock: () => now, log });
  await updateSettings(server.store, { serverName: 'ucu' }, 'test');
  const known = phone(1);
  await checkIn(server, [known]);
  const dirs = logFolders(server.store.paths.logDir);
  const diskFull = () => lines.filter((l) => /"msg":"The disk is full/.test(l)).map((l) => JSON.parse(l).msg as string);

  // /dev/full in place of the files being written: every write fails with ENOSPC, as on a full disk.
  const uploadDir = join(dirs.client, 'Watson', known.mac);
  await mkdir(uploadDir, { recursive: true });
  const partials = ['a', 'b'].map((n) => join(uploadDir, `20261201T100000-000Z-${n}.dmp.partial`));
  for (const p of partials) await symlink('/dev/full', p);
  for (const n of ['a', 'b']) {
    const r = await upload(server, `LogType=Watson&FileName=${n}.dmp&MacAddress=${known.mac}`, Buffer.alloc(1000));
    assert.equal(r.status, 507);
    assert.equal(r.body.toString(), "Log refused: the server's disk is full.");
  }
  for (const p of partials) assert.equal(existsSync(p), false, p);
  assert.deepEqual(await server.store.deviceLogs.listFor(known.mac, ''), []);
  assert.deepEqual(diskFull(), ['The disk is full: phone log uploads are refused until there is room.']);

  // The audit log of a new day on the full disk: the check is answered, its line dropped, and said once.
  const tomorrow = new Date(now.getTime() + DAY);
  await mkdir(dirs.audit, { recursive: true });
  await symlink('/dev/full', join(dirs.audit, auditFileName('ucu', tomorrow)));
  now.setTime(tomorrow.getTime());
  for (let i = 0; i < 3; i++) assert.equal((await simulateCheck(server.urls.http, known)).status, 200);
  await eventually(() => assert.equal(diskFull().length, 2));
  assert.equal(diskFull()[1], 'The disk is full: audit log lines are dropped until there is room.');
  // Room again: the next upload is kept.
  assert.equal((await upload(server, `LogType=Watson&FileName=c.dmp&MacAddress=${known.mac}`, Buffer.alloc(1000))).status, 200);
});
