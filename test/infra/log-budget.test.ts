import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogBudget, type LogBudgetOptions } from '../../src/server/infra/logs/log-budget.js';

const NOW = new Date('2024-06-30T12:00:00Z');
const DAY = 86_400_000;

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ucupdates-budget-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A file of `size` bytes last modified `ageDays` before NOW. */
async function logFile(path: string, ageDays: number, size = 10): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, 'x'.repeat(size));
  const at = new Date(NOW.getTime() - ageDays * DAY);
  await utimes(path, at, at);
  return path;
}

function budget(root: string, maxBytes: number, extra: Partial<LogBudgetOptions> = {}): { budget: LogBudget; deleted: string[] } {
  const deleted: string[] = [];
  const b = new LogBudget({
    root,
    limits: () => ({ maxBytes, maxAgeDays: 30 }),
    agedDirs: [join(root, 'Server')],
    clock: () => NOW,
    onDeleted: (paths) => deleted.push(...paths),
    ...extra,
  });
  return { budget: b, deleted };
}

test('charges count up to the budget; a charge that does not fit is refused and counts nothing', (t) => {
  const { budget: b } = budget('/nonexistent', 1600);
  assert.equal(b.partBytes, 100);
  assert.equal(b.charge('/a', 1000), true);
  assert.equal(b.charge('/b', 600), true);
  assert.equal(b.charge('/b', 1), false);
  assert.equal(b.usedBytes, 1600);
  assert.equal(b.sizeOf('/b'), 600);
  b.refund('/b', 100);
  assert.equal(b.usedBytes, 1500);
  assert.equal(b.charge('/c', 100), true);
  t.after(() => b.reclaim()); // the pass the full budget started finds nothing on disk
});

test('makes room by deleting whole files, oldest first, down to a part of headroom; never a held one', async (t) => {
  const root = await tempDir(t);
  const files = [];
  for (let i = 0; i < 6; i++) files.push(await logFile(join(root, 'Server', `day${i}.log`), 10 - i, 100));
  const { budget: b, deleted } = budget(root, 800);
  await b.start();
  assert.equal(b.usedBytes, 600);
  b.hold(files[0]!); // the oldest, but a writer has it open
  assert.equal(b.charge(join(root, 'Server', 'today.log'), 151), true); // 751 of 800: less than a part (50) free
  await b.reclaim();
  // day1 alone frees enough: 651 of 800, a part's worth and more.
  assert.deepEqual(deleted, [files[1]]);
  assert.equal(existsSync(files[0]!), true);
  assert.equal(existsSync(files[1]!), false);
  assert.equal(b.usedBytes, 651);
});

test('when nothing can be deleted, charges are refused until a held file is released', async (t) => {
  const root = await tempDir(t);
  const { budget: b, deleted } = budget(root, 1600);
  const open = join(root, 'Server', 'open.log');
  await logFile(open, 0, 1);
  b.hold(open);
  assert.equal(b.charge(open, 1600), true);
  assert.equal(b.charge(open, 1), false);
  await b.reclaim();
  assert.deepEqual(deleted, []);
  assert.equal(b.charge(open, 1), false, 'still full');
  b.release(open);
  await b.reclaim();
  assert.deepEqual(deleted, [open]);
  assert.equal(b.usedBytes, 0);
  assert.equal(b.charge(join(root, 'Server', 'next.log'), 1), true);
});

test('an upload larger than a part makes as much room as it needs', async (t) => {
  const root = await tempDir(t);
  const old = [];
  for (let i = 0; i < 4; i++) old.push(await logFile(join(root, 'Client', 'CELog', 'AA', `${i}.clg`), 5 - i, 400));
  const { budget: b, deleted } = budget(root, 1600);
  await b.start();
  assert.equal(b.charge('/upload', 700), false);
  await b.reclaim(700);
  assert.deepEqual(deleted, old.slice(0, 2));
  assert.equal(b.charge('/upload', 700), true);
});

test('the first pass after a start counts everything under the root, drops half-written uploads, then applies age and size', async (t) => {
  const root = await tempDir(t);
  const oldAudit = await logFile(join(root, 'Server', 'Audit', 'old.log'), 40, 100);
  const audit = await logFile(join(root, 'Server', 'Audit', 'recent.log'), 3, 300);
  const access = await logFile(join(root, 'Server', 'Access', 'u_ex240629.log'), 1, 300);
  // Phone uploads are not aged by logRetentionDays (deviceLogRetentionDays is theirs), but they count and can go.
  const oldUpload = await logFile(join(root, 'Client', 'CELog', '0021630F207B', 'a.clg'), 50, 400);
  const upload = await logFile(join(root, 'Client', 'Watson', 'serial-X', 'b.dmp'), 2, 400);
  const partial = await logFile(join(root, 'Client', 'CELog', '0021630F207B', 'c.clg.partial'), 0, 400);
  const { budget: b, deleted } = budget(root, 1200);
  await b.start();
  assert.equal(existsSync(partial), false);
  assert.deepEqual(deleted, [oldAudit, oldUpload]); // the age pass, then the oldest file for a part of headroom
  assert.equal(b.usedBytes, 1000);
  for (const kept of [audit, access, upload]) assert.equal(existsSync(kept), true, kept);
});

test('a missing root is an empty budget', async (t) => {
  const { budget: b } = budget(join(await tempDir(t), 'missing'), 1600);
  await b.start();
  assert.equal(b.usedBytes, 0);
});

test('namesIn lists the known files of one folder, not of its subfolders', (t) => {
  const { budget: b } = budget('/r', 1600);
  b.charge(join('/r', 'a', 'x.log'), 1);
  b.charge(join('/r', 'a', 'x.2.log'), 1);
  b.charge(join('/r', 'a', 'b', 'y.log'), 1);
  b.hold(join('/r', 'ab', 'z.log'));
  assert.deepEqual(b.namesIn(join('/r', 'a')).sort(), ['x.2.log', 'x.log']);
  t.after(() => b.reclaim());
});

test('the retention timer ages files out on its interval and does not keep the process alive', async (t) => {
  const root = await tempDir(t);
  const file = await logFile(join(root, 'Server', 'day.log'), 20);
  let now = NOW;
  const { budget: b, deleted } = budget(root, 1600, { clock: () => now });
  await b.start();
  assert.deepEqual(deleted, []);
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const stop = b.startRetention(10);
  t.after(stop);
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, before);
  now = new Date(NOW.getTime() + 11 * DAY);
  for (let i = 0; i < 200 && deleted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(deleted, [file]);
});
