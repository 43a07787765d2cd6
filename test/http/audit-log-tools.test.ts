// The audit log as admins and the server read it: written by a real server after real update checks, read by a real
// CSV parser (Python's csv module, as LibreOffice Calc and Excel read RFC 4180), by the phone's page (its history)
// and by the audit import of another server. Before, `CONTOSO\Smith, "Bob"` was logged as `CONTOSO\Smith_ _Bob_`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PHONE, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { importAuditLog } from '../../src/server/app/audit-import.js';
import { deviceHistory } from '../../src/server/app/device-history.js';
import { listDevices } from '../../src/server/app/inventory.js';
import type { RunningServer } from '../../src/server/compose.js';
import { deviceQuery } from '../../src/shared/inventory-api.js';
import { eventually, startTestServer, tempDir, withFreshStore } from '../helpers.js';

const run = promisify(execFile);

const PHONES: SimulatedPhone[] = [
  { ...DEFAULT_PHONE, mac: '0004F20000A1', serial: 'SN-A1', userName: 'CONTOSO\\Smith, "Bob"' },
  { ...DEFAULT_PHONE, mac: '0004F20000A2', serial: 'SN-A2', userName: 'jürgen.müller@contoso.de' },
  { ...DEFAULT_PHONE, mac: '0004F20000A3', serial: '-SN3', userName: '=HYPERLINK("http://x","y")' },
  { ...DEFAULT_PHONE, mac: '', serial: '@SERIAL-ONLY, "4"', userName: "'quoted'" },
];

let tmp: { dir: string; remove: () => Promise<void> };
let server: RunningServer;
let auditFiles: string[];

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'));
  for (const p of PHONES) assert.equal((await simulateCheck(server.urls.http, p)).status, 200);
  await eventually(async () => assert.equal((await listDevices(server.store, deviceQuery.parse({}))).total, PHONES.length));
});
after(async () => {
  await server.close();
  await tmp.remove();
});

const deviceOf = async (store: RunningServer['store'], p: SimulatedPhone) => (await listDevices(store, deviceQuery.parse({ q: p.mac || p.serial }))).devices[0]!;

test("a phone's history shows the user name it sent, exactly, also for a serial that looks like a formula", async () => {
  for (const p of PHONES) {
    const h = await deviceHistory(server.store, (await deviceOf(server.store, p)).id);
    assert.deepEqual(h.entries.map((e) => e.user), [p.userName], p.mac || p.serial);
  }
});

test('Python\'s csv module (RFC 4180, as Calc and Excel read it) gets every field back; formulas stay text', async () => {
  await server.close(); // flushes the logs
  server = await startTestServer(join(tmp.dir, 'data'));
  const dir = join(server.store.paths.logDir, 'Server', 'Audit', 'imageUpdates');
  auditFiles = (await readdir(dir)).map((f) => join(dir, f));
  const script = 'import csv, json, sys\nprint(json.dumps([r for f in sys.argv[1:] for r in csv.reader(open(f, encoding="utf-8", newline=""))]))';
  const rows = JSON.parse((await run('python3', ['-c', script, ...auditFiles])).stdout) as string[][];
  assert.ok(rows.every((r) => r.length === 13), 'every row has 13 columns');
  assert.equal(rows[0]![1], 'User Name');
  const byMac = (p: SimulatedPhone) => rows.find((r) => r[5] === p.mac && r[6]!.endsWith(p.serial))!;
  assert.equal(byMac(PHONES[0]!)[1], 'CONTOSO\\Smith, "Bob"');
  assert.equal(byMac(PHONES[1]!)[1], 'jürgen.müller@contoso.de');
  // A value a spreadsheet would run starts with an apostrophe: shown as text (the server takes it off when reading).
  assert.deepEqual([byMac(PHONES[2]!)[1], byMac(PHONES[2]!)[6]], ['\'=HYPERLINK("http://x","y")', "'-SN3"]);
  assert.deepEqual([byMac(PHONES[3]!)[1], byMac(PHONES[3]!)[6]], ["''quoted'", '\'@SERIAL-ONLY, "4"']);
});

test('another server importing the file gets the user names exactly', async () => {
  await withFreshStore(async (store) => {
    for (const file of auditFiles) await importAuditLog(store, file, file.split('/').at(-1)!, 'test');
    for (const p of PHONES) assert.equal((await deviceOf(store, p)).userName, p.userName, p.mac || p.serial);
  });
});
