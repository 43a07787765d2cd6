// GET /api/devices and /api/devices/:id on a real server, filled by simulated phones; and the rule-action preview's
// count of phones, as the console asks for it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_PHONE, simulateCheck } from '../../src/cli/phone-simulator.js';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { importPackage } from '../../src/server/app/import-package.js';
import type { RunningServer } from '../../src/server/compose.js';
import type { RuleChangeDto } from '../../src/shared/admin-api.js';
import type { ErrorBody } from '../../src/shared/errors.js';
import type { DeviceDto, DeviceHistoryDto, DeviceListDto } from '../../src/shared/inventory-api.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
let auth: { cookie: string; csrf: string };

const PHONES = [
  { ...DEFAULT_PHONE, mac: '00-04-F2-00-00-01', serial: 'C185H0001', userName: 'ann@contoso.com', version: '4.0.7577.4000' },
  { ...DEFAULT_PHONE, mac: '0004F2000002', serial: 'C185H0002', userName: 'bob@contoso.com', version: '4.0.7577.4366' },
  { ...DEFAULT_PHONE, mac: '0004F2000003', serial: 'C185H0003', userName: '', locale: 'DEU', version: '4.0.7577.4000' },
  { ...DEFAULT_PHONE, mac: '', serial: 'X-SERIAL-ONLY', userName: 'cy@contoso.com', model: 'CX700', version: '3.5.6907.0' },
];

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'));
  await importPackage(server.store, await multiDevicePackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  await setAdmin(server.store, 'alice', 'alice-password-1', 'admin', 'test');
  const r = await fetch(`${server.urls.admin}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'alice-password-1' }),
  });
  auth = { cookie: /^([^;]+)/.exec(r.headers.get('set-cookie')!)![1]!, csrf: ((await r.json()) as { csrf: string }).csrf };
  for (const p of PHONES) assert.equal((await simulateCheck(server.urls.http, p)).status, 200);
  await eventually(async () => assert.equal((await get<DeviceListDto>('/devices')).body.total, PHONES.length));
});
after(async () => {
  await server.close();
  await tmp.remove();
});

async function get<T>(path: string, signedIn = true): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.urls.admin}/api${path}`, { headers: signedIn ? { cookie: auth.cookie } : {} });
  return { status: res.status, body: (await res.json()) as T };
}

const macs = (l: DeviceListDto) => l.devices.map((d) => d.mac ?? d.serial);

test('the inventory needs a signed-in caller', async () => {
  assert.equal((await get('/devices', false)).status, 401);
  assert.equal((await get('/devices/1', false)).status, 401);
});

test('lists every phone with its state and reason, newest first, with counts by state', async () => {
  const { status, body } = await get<DeviceListDto>('/devices');
  assert.equal(status, 200);
  assert.equal(body.devices.length, 4);
  assert.deepEqual(body.thresholds, { stuckHours: 24, silentDays: 7 });
  // Nothing is approved yet: nobody is offered anything; but the German CX600 has no rule for its locale at all.
  assert.deepEqual(body.counts, { 'up-to-date': 3, blocked: 1, behind: 0, offered: 0, downloaded: 0, updated: 0, stuck: 0, silent: 0 });
  const deu = body.devices.find((d) => d.mac === '0004F2000003')!;
  assert.equal(deu.state, 'blocked');
  assert.match(deu.reason, /^Runs 4\.0\.7577\.4000; there is no rule for its locale, so it reports 0x0\/200 and never updates/);
  for (let i = 1; i < body.devices.length; i++) assert.ok(body.devices[i - 1]!.lastSeen >= body.devices[i]!.lastSeen);
  const ann = body.devices.find((d) => d.mac === '0004F2000001')!;
  assert.equal(ann.reason, 'Runs 4.0.7577.4000; nothing is offered to it.');
  assert.deepEqual(
    { user: ann.userName, model: ann.model, locale: ann.locale, version: ann.version, address: ann.address },
    { user: 'ann@contoso.com', model: 'CX600', locale: 'ENU', version: '4.0.7577.4000', address: '127.0.0.1' },
  );
  const serialOnly = body.devices.find((d) => d.serial === 'X-SERIAL-ONLY')!;
  assert.equal(serialOnly.mac, null);
});

test('filters, search, sort and paging', async () => {
  assert.deepEqual(macs((await get<DeviceListDto>('/devices?locale=deu')).body), ['0004F2000003']);
  assert.deepEqual(macs((await get<DeviceListDto>('/devices?model=cx700')).body), ['X-SERIAL-ONLY']);
  assert.deepEqual(macs((await get<DeviceListDto>('/devices?version=4.0.7577.4366')).body), ['0004F2000002']);
  assert.deepEqual(macs((await get<DeviceListDto>('/devices?q=00:04:f2:00:00:0&sort=mac')).body), ['0004F2000001', '0004F2000002', '0004F2000003']);
  assert.deepEqual(macs((await get<DeviceListDto>('/devices?q=BOB')).body), ['0004F2000002']);
  assert.deepEqual(macs((await get<DeviceListDto>('/devices?q=x-serial')).body), ['X-SERIAL-ONLY']);
  const page = (await get<DeviceListDto>('/devices?sort=user&order=desc&limit=2&offset=1')).body;
  assert.equal(page.total, 4);
  assert.deepEqual(page.devices.map((d) => d.userName), ['bob@contoso.com', 'ann@contoso.com']);
  const none = (await get<DeviceListDto>('/devices?state=stuck&model=CX600&locale=')).body;
  assert.deepEqual([none.total, none.devices], [0, []]);
  assert.deepEqual([none.counts['up-to-date'], none.counts.blocked], [2, 1], 'counts ignore the state filter, keep the others (an empty one is none)');
});

test('a bad query is refused with the error envelope', async () => {
  for (const q of ['state=lost', 'limit=0', 'limit=5000', 'sort=colour', 'offset=-1']) {
    const r = await get<ErrorBody>(`/devices?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.code, 'invalid_input', q);
  }
});

test('one device by id; unknown ids are 404, malformed ones 400', async () => {
  const first = (await get<DeviceListDto>('/devices?q=0004F2000002')).body.devices[0]!;
  const one = await get<DeviceDto>(`/devices/${first.id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, first);
  assert.equal((await get<ErrorBody>('/devices/999999')).body.error.code, 'not_found');
  assert.equal((await get<ErrorBody>('/devices/abc')).status, 400);
});

test('the rule-action preview says how many phones of the model and locale have checked in', async () => {
  const rules = (await get<{ id: number; model: string; locale: string }[]>('/rules')).body;
  const preview = async (model: string, locale: string) => {
    const id = rules.find((r) => r.model === model && r.locale === locale)!.id;
    const res = await fetch(`${server.urls.admin}/api/rules/approve/preview`, {
      method: 'POST',
      headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [id] }),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as RuleChangeDto[])[0]!.summary;
  };
  assert.match(await preview('CX600', 'ENU'), /^UCPhone\/Polycom\/CX600\/A\/ENU\/CPE: phones get 4\.0\.7577\.4366\. About 2 phones of this model and locale have checked in\.$/);
  assert.match(await preview('CX700', 'ENU'), /\. 1 phone of this model and locale has checked in\.$/);
  assert.match(await preview('IP8540', 'ENU'), /\. No phone of this model and locale has checked in yet\.$/);
});

test("a phone's history: its checks as the audit log recorded them, newest first, found by MAC in any notation or by serial", async () => {
  const list = (await get<DeviceListDto>('/devices')).body.devices;
  const first = list.find((d) => d.mac === '0004F2000001')!;
  const serialOnly = list.find((d) => d.serial === 'X-SERIAL-ONLY')!;
  // A second check of the first phone, from a newer firmware: the newest comes first.
  assert.equal((await simulateCheck(server.urls.http, { ...PHONES[0]!, version: '4.0.7577.4366' })).status, 200);
  await eventually(async () => assert.equal((await get<DeviceHistoryDto>(`/devices/${first.id}/history`)).body.entries.length, 2));
  const h = (await get<DeviceHistoryDto>(`/devices/${first.id}/history`)).body;
  assert.equal(h.truncated, false);
  assert.deepEqual(h.entries.map((e) => e.requested), [['cpe.nbt;4.0.7577.4366;01-01-1601 00:00:00'], ['cpe.nbt;4.0.7577.4000;01-01-1601 00:00:00']]);
  assert.deepEqual(h.entries.map((e) => e.user), ['ann@contoso.com', 'ann@contoso.com']);
  assert.match(h.entries[0]!.at, /^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/);
  assert.ok(h.entries.every((e) => e.address === '127.0.0.1'));
  assert.deepEqual(h.entries[0]!.response, [], 'nothing is approved: nothing was offered');

  const bySerial = (await get<DeviceHistoryDto>(`/devices/${serialOnly.id}/history`)).body;
  assert.equal(bySerial.entries.length, 1);
  assert.deepEqual(bySerial.entries[0]!.requested, ['cpe.nbt;3.5.6907.0;01-01-1601 00:00:00']);
  assert.equal((await get<ErrorBody>('/devices/999999/history')).status, 404);
});

/** RFC 4180 records (quoted fields with "" inside, CRLF between records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  const field = /(?:"((?:[^"]|"")*)"|([^,\r\n"]*))(,|\r\n|$)/y;
  while (field.lastIndex < text.length) {
    const m = field.exec(text);
    if (!m) throw new Error(`not CSV at ${field.lastIndex}`);
    row.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!);
    if (m[3] !== ',') {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

async function getCsv(path: string): Promise<{ res: Response; rows: string[][]; text: string }> {
  const res = await fetch(`${server.urls.admin}/api${path}`, { headers: { cookie: auth.cookie } });
  const text = await res.text();
  return { res, rows: parseCsv(text), text };
}

test('the CSV export: every matching phone (filters, search and order as the list has them), a header, an attachment', async () => {
  const { res, rows, text } = await getCsv('/devices/export.csv?model=CX600&sort=mac&order=desc&limit=1');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(res.headers.get('content-disposition')!, /^attachment; filename="ucupdates-devices-\d{4}-\d{2}-\d{2}\.csv"$/);
  assert.ok(text.endsWith('\r\n'));
  const bytes = Buffer.from(await (await fetch(`${server.urls.admin}/api/devices/export.csv?state=stuck`, { headers: { cookie: auth.cookie } })).arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0xef, 0xbb, 0xbf, 0x4d], 'a UTF-8 byte order mark, then "MAC": Excel reads it as UTF-8');
  const [header, ...devices] = rows;
  assert.deepEqual(header, ['MAC', 'Serial', 'Device type', 'Vendor', 'Model', 'Revision', 'Locale', 'Version', 'User', 'Address', 'First seen', 'Last seen', 'State', 'Reason', 'Offered version', 'Offered at', 'Downloaded at', 'Updated at', 'Will be offered']);
  assert.deepEqual(devices.map((r) => r[0]), ['0004F2000003', '0004F2000002', '0004F2000001'], 'no paging: limit is ignored');
  const listed = (await get<DeviceListDto>('/devices?q=0004F2000001')).body.devices[0]!;
  assert.deepEqual(devices[2], [
    '0004F2000001', 'C185H0001', 'UCPhone', 'Polycom', 'CX600', 'A', 'ENU', '4.0.7577.4000', 'ann@contoso.com', '127.0.0.1',
    listed.firstSeen, listed.lastSeen, 'up-to-date', 'Runs 4.0.7577.4000; nothing is offered to it.', '', '', '', '', '',
  ]);
  assert.deepEqual((await getCsv('/devices/export.csv?q=x-serial')).rows.slice(1).map((r) => [r[0], r[1]]), [['', 'X-SERIAL-ONLY']]);
  assert.deepEqual((await getCsv('/devices/export.csv?state=stuck')).rows.length, 1, 'only the header when nothing matches');
  assert.equal((await get<ErrorBody>('/devices/export.csv?state=lost')).status, 400);
});

test('the CSV export defuses values a phone sent that Excel would run as formulas', async () => {
  const evil = { ...DEFAULT_PHONE, mac: '0004F20000EE', serial: '@SUM(1+1)', userName: '=HYPERLINK("http://x","y")' };
  assert.equal((await simulateCheck(server.urls.http, evil)).status, 200);
  await eventually(async () => assert.equal((await get<DeviceListDto>('/devices?q=0004F20000EE')).body.total, 1));
  const row = (await getCsv('/devices/export.csv?q=0004F20000EE')).rows[1]!;
  assert.equal(row[1], "'@SUM(1+1)");
  assert.equal(row[8], `'=HYPERLINK("http://x","y")`);
});

test('a large inventory streams out page by page, each phone once, in order', async () => {
  const n = 5_500;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const changes = function* () {
    for (let i = 0; i < n; i++) {
      const mac = `00AA${i.toString(16).toUpperCase().padStart(8, '0')}`;
      yield { before: undefined, after: { identity: `mac:${mac}`, mac, serial: `S${i}`, deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX3000', revision: 'A', locale: 'ENU', version: '1.0', userName: '', address: '10.0.0.1', firstSeen: at(i), lastSeen: at(i), offeredVersion: null, offeredFolder: null, offeredAt: null, downloadedAt: null, updatedAt: null, modules: 'cpe.nbt;1.0', dueVersion: null, dueFolder: null, dueBlocker: null } };
    }
  };
  await server.store.engine.transaction(async (tx) => tx.devices.write(changes()), { wait: true });
  const { res, rows } = await getCsv('/devices/export.csv?model=CX3000');
  assert.equal(res.headers.get('transfer-encoding'), 'chunked', 'streamed, not one body of known length');
  const macs = rows.slice(1).map((r) => r[0]!);
  assert.equal(macs.length, n);
  assert.equal(new Set(macs).size, n);
  assert.equal(macs[0], `00AA${(n - 1).toString(16).toUpperCase().padStart(8, '0')}`, 'newest first');
  assert.equal(macs.at(-1), '00AA00000000');
  const bySerial = (await getCsv('/devices/export.csv?model=CX3000&sort=serial&order=asc')).rows.slice(1).map((r) => r[1]!);
  assert.deepEqual(bySerial, Array.from({ length: n }, (_, i) => `S${i}`).sort());
});
