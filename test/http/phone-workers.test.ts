// Phone workers (phone-workers/): a server with two worker processes answering phones. The whole phone-side suite
// also runs this way with UCUPDATES_TEST_PHONE_WORKERS=2; this file covers what only workers have.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { DEFAULT_PHONE, simulateCheck } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { updateSettings } from '../../src/server/app/settings.js';
import type { RunningServer } from '../../src/server/compose.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { eventually, freshStore, startTestServer, tempDir } from '../helpers.js';

const CAP = 20;
let tmp: { dir: string; remove: () => Promise<void> };
let server: RunningServer;

/** This process's children that are phone workers. */
async function workerPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && cmdline.includes('phone-workers/worker')) pids.push(Number(pid));
  }
  return pids;
}

/** An idle connection; `refused` once the server reset it without a word, `closed` when it ends. */
function hold(port: number) {
  const socket = net.connect({ port, host: '127.0.0.1' });
  const h = { socket, refused: false, closed: new Promise<void>((resolve) => socket.on('close', () => resolve())) };
  socket.on('error', (e: NodeJS.ErrnoException) => (h.refused = e.code === 'ECONNRESET'));
  return h;
}
const settle = () => new Promise((r) => setTimeout(r, 400));

before(async () => {
  tmp = await tempDir();
  const dataDir = join(tmp.dir, 'data');
  const store = freshStore(dataDir);
  await updateSettings(store, { phoneMaxConnectionsPerAddress: CAP }, 'test');
  await importPackage(store, await multiDevicePackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  await store.close();
  server = await startTestServer(dataDir, { phoneWorkers: 2 });
});
after(async () => {
  await server.close();
  await tmp.remove();
});

const cx600 = (mac: string) => ({ ...DEFAULT_PHONE, mac, serial: `SN${mac}`, version: '4.0.7577.4000' });

test('an approval is offered by every worker as soon as it is made; every check is in the audit log and the inventory', async () => {
  const macs = Array.from({ length: 40 }, (_, i) => `0004F2AA${i.toString(16).padStart(4, '0').toUpperCase()}`);
  assert.equal((await simulateCheck(server.urls.http, cx600('0004F2AB0000'))).response!.numOfFiles, 0, 'pending only');
  const cx600Rule = (await server.store.rules.list()).find((r) => r.model === 'CX600' && r.locale === 'ENU')!;
  await applyRuleAction(server.store, 'approve', [cx600Rule.id], 'test');
  // Ten connections at once: both workers answer, none from the rules before the approval.
  const answers = [];
  for (let i = 0; i < macs.length; i += 10) answers.push(...(await Promise.all(macs.slice(i, i + 10).map((mac) => simulateCheck(server.urls.http, cx600(mac))))));
  http.globalAgent.destroy(); // its idle keep-alive connections would count against the next test's cap
  assert.deepEqual(new Set(answers.map((a) => a.response!.files[0]?.version)), new Set(['4.0.7577.4366']));
  await eventually(async () => {
    for (const mac of macs) assert.ok(await server.store.devices.knows(mac, ''), `the inventory has ${mac}`);
  });
  await eventually(async () => {
    const dir = join(server.store.paths.logDir, 'Server', 'Audit', 'imageUpdates');
    const audit = await readFile(join(dir, (await readdir(dir))[0]!), 'utf8');
    for (const mac of macs) assert.equal(audit.split(`"${mac}"`).length - 1, 1, `one audit line for ${mac}`);
  });
});

test('the per-address cap holds across workers; a worker that dies frees its connections and is replaced', async () => {
  const port = Number(new URL(server.urls.http).port);
  const held = Array.from({ length: CAP + 2 }, () => hold(port));
  await settle();
  assert.equal(held.filter((h) => h.refused).length, 2, `phoneMaxConnectionsPerAddress (${CAP}) counts the connections of both workers`);

  const [victim, ...others] = await workerPids();
  assert.equal(others.length, 1);
  process.kill(victim!, 'SIGKILL');
  await settle();
  const lost = held.filter((h) => !h.refused && h.socket.destroyed).length;
  assert.ok(lost > 0 && lost < CAP, `the dead worker's connections closed (${lost}), the other's stay`);
  assert.equal((await simulateCheck(server.urls.http, cx600('0004F2BB0001'))).status, 200, 'the other worker answers meanwhile');
  http.globalAgent.destroy();

  await eventually(async () => assert.equal((await workerPids()).filter((p) => p !== victim).length, 2, 'a new worker took its place'));
  const again = Array.from({ length: lost + 1 }, () => hold(port));
  await settle();
  assert.equal(again.filter((h) => h.refused).length, 1, 'the dead worker\'s connections no longer count; the cap still does');
  for (const h of [...held, ...again]) h.socket.destroy();
  await Promise.all([...held, ...again].map((h) => h.closed));
});

test('a server that closes stops its workers', async () => {
  const pids = await workerPids();
  assert.equal(pids.length, 2);
  await server.close();
  assert.deepEqual(await workerPids(), []);
  server = await startTestServer(server.store.paths.dataDir, { phoneWorkers: 1 });
  assert.equal((await simulateCheck(server.urls.http, cx600('0004F2BB0002'))).status, 200);
});
