// An attacker on the phone network sends update checks that make the server remember more and more: long field
// values (measured on main: 1,500 checks with a different 58 KB Vendor grew the server by 212 MB), distinct Host
// headers and distinct legal values. Long fields are refused; what is remembered stays within the settings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_PHONE, httpRequest, phoneRequestBody, simulateCheck } from '../../src/cli/phone-simulator.js';
import { buildSnapshot } from '../../src/server/app/catalog.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { checkForUpdate } from '../../src/server/app/update-check.js';
import type { RunningServer } from '../../src/server/compose.js';
import { parseUpdateRequest } from '../../src/server/phone/dialect.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { startTestServer, tempDir } from '../helpers.js';

let tmp: { dir: string; remove: () => Promise<void> };
let server: RunningServer;

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'));
  await importPackage(server.store, await multiDevicePackage(join(tmp.dir, 'cabs')), { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
  const cx600 = (await server.store.rules.list()).find((r) => r.model === 'CX600')!;
  await applyRuleAction(server.store, 'approve', [cx600.id], 'test');
});
after(async () => {
  await server.close();
  await tmp.remove();
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = () => (gc(), process.memoryUsage().heapUsed);

/** Runs the tasks `width` at a time. */
async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  }));
  return out;
}

test('1,000 update checks, each with a different 58 KB Vendor, are refused with 400 and leave nothing behind', async () => {
  const url = `${server.urls.http}/RequestHandler/ucdevice.upx`;
  const before = heapUsed();
  const answers = await pool(1000, 8, (i) =>
    httpRequest(url, { method: 'POST', body: phoneRequestBody({ ...DEFAULT_PHONE, vendor: `${i}`.padEnd(58 * 1024, 'v') }) }),
  );
  const grown = heapUsed() - before;
  assert.deepEqual([...new Set(answers.map((a) => a.status))], [400]);
  assert.equal(
    answers[0]!.body.toString(),
    'Bad request: "vendor" has 59392 characters, more than the 256 a field may have (maxFieldChars).',
  );
  // Remembering them (main) takes well over 100 MB; the margin is for the test's own buffers and the logs' queues.
  assert.ok(grown < 30 * 1024 * 1024, `the heap grew by ${Math.round(grown / 1024 / 1024)} MB`);
  const phone = await simulateCheck(server.urls.http, { ...DEFAULT_PHONE, version: '4.0.7577.4000' });
  assert.equal(phone.response?.files[0]?.version, '4.0.7577.4366', 'a real phone is still answered');
});

test('the answer memo stays within answerCacheEntries and answerCacheMB, whatever Host headers and legal values arrive', async () => {
  const { store } = server;
  const { maxFieldChars } = await store.settings.read();
  // Distinct situations, each as large as the limits allow: a 256-character vendor, user, locale and module
  // version (all legal), a distinct 253-character host name, and phones that are offered an image (longer XML).
  const attack = (i: number) => {
    const long = (s: string) => `${i}-${s}`.padEnd(256, s[0]);
    const known = i % 2 === 0;
    const body = phoneRequestBody({ ...DEFAULT_PHONE, vendor: known ? 'Polycom' : long('vendor'), userName: long('user'), locale: known ? 'ENU' : long('locale'), version: known ? `4.0.7577.${i % 4000}` : long('9') });
    const parsed = parseUpdateRequest(body, maxFieldChars);
    assert.ok(parsed.ok, 'legal values');
    const host = `h${i}.`.padEnd(250, 'x') + '.co';
    return { request: parsed.request, ctx: { internalBase: `http://${host}`, externalBase: `https://${host}`, external: false, now: new Date() } };
  };

  await updateSettings(store, { answerCacheEntries: 100, answerCacheMB: 64 }, 'test');
  let snap = await buildSnapshot(store);
  for (let i = 0; i < 1000; i++) {
    const { request, ctx } = attack(i);
    checkForUpdate(snap, request, ctx);
  }
  assert.equal(snap.answers.count, 100, 'bounded by count');

  await updateSettings(store, { answerCacheEntries: 1_000_000, answerCacheMB: 1 }, 'test');
  snap = await buildSnapshot(store);
  let offered = 0;
  let newest;
  for (let i = 0; i < 3000; i++) {
    const { request, ctx } = attack(i);
    newest = checkForUpdate(snap, request, ctx);
    if (newest.decision.offers.length > 0) offered++;
  }
  assert.ok(offered > 1000, 'half the phones are offered an image');
  assert.ok(snap.answers.size <= 1024 * 1024, `bounded by size: ${snap.answers.size}`);
  assert.ok(snap.answers.count > 100 && snap.answers.count < 3000, `oldest evicted, not all cleared: ${snap.answers.count}`);

  // The newest answers are kept (an evicted one is simply made again), and a real phone is answered as before.
  const last = attack(2999);
  assert.equal(checkForUpdate(snap, last.request, last.ctx), newest);
  const phone = await simulateCheck(server.urls.http, { ...DEFAULT_PHONE, version: '4.0.7577.4000' });
  assert.equal(phone.response?.files[0]?.version, '4.0.7577.4366');
});
