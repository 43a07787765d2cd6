import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneLogs, startRetention } from '../../src/server/infra/logs/log-retention.js';

const NOW = new Date('2024-06-30T12:00:00Z');
const DAY = 86_400_000;

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ucupdates-retention-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A file of `size` bytes last modified `ageDays` before NOW. */
async function logFile(dir: string, name: string, ageDays: number, size = 10): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, 'x'.repeat(size));
  const at = new Date(NOW.getTime() - ageDays * DAY);
  await utimes(path, at, at);
  return path;
}

const NO_SIZE_LIMIT = Number.POSITIVE_INFINITY;

test('deletes log files older than maxAgeDays, keeps the rest and other files', async (t) => {
  const dir = await tempDir(t);
  const old1 = await logFile(dir, 'a.log', 40);
  const old2 = await logFile(dir, 'capture-old.jsonl', 31);
  await logFile(dir, 'recent.log', 29);
  await logFile(dir, 'today.log', 0);
  await logFile(dir, 'notes.txt', 100);
  const { deleted } = await pruneLogs([dir], { maxAgeDays: 30, maxTotalBytes: NO_SIZE_LIMIT }, NOW);
  assert.deepEqual(deleted, [old1, old2]);
  assert.deepEqual((await readdir(dir)).sort(), ['notes.txt', 'recent.log', 'today.log']);
});

test('never deletes the newest file of a folder, however old', async (t) => {
  const dir = await tempDir(t);
  const older = await logFile(dir, 'older.log', 100);
  await logFile(dir, 'newest.log', 90);
  const { deleted } = await pruneLogs([dir], { maxAgeDays: 30, maxTotalBytes: 0 }, NOW);
  assert.deepEqual(deleted, [older]);
  assert.deepEqual(await readdir(dir), ['newest.log']);
});

test('deletes the oldest files across folders until the total fits', async (t) => {
  const root = await tempDir(t);
  const audit = join(root, 'audit');
  const access = join(root, 'access');
  const a1 = await logFile(audit, 'a1.log', 5, 100);
  await logFile(audit, 'a2.log', 2, 100);
  await logFile(audit, 'a3.log', 0, 100);
  const b1 = await logFile(access, 'b1.log', 4, 100);
  await logFile(access, 'b2.log', 1, 100);
  // 500 bytes; limit 300: the two oldest go (a1 at 5 days, b1 at 4 days).
  const { deleted } = await pruneLogs([audit, access], { maxAgeDays: 365, maxTotalBytes: 300 }, NOW);
  assert.deepEqual(deleted, [a1, b1]);
  assert.deepEqual((await readdir(audit)).sort(), ['a2.log', 'a3.log']);
  assert.deepEqual(await readdir(access), ['b2.log']);
});

test('nothing to do within both limits; a missing folder is skipped', async (t) => {
  const dir = await tempDir(t);
  await logFile(dir, 'a.log', 3, 100);
  await logFile(dir, 'b.log', 1, 100);
  const { deleted } = await pruneLogs([dir, join(dir, 'missing')], { maxAgeDays: 30, maxTotalBytes: 200 }, NOW);
  assert.deepEqual(deleted, []);
  assert.equal((await readdir(dir)).length, 2);
});

test('startRetention prunes at once, reports deletions, and stops', async (t) => {
  const dir = await tempDir(t);
  const old = await logFile(dir, 'old.log', 10);
  await logFile(dir, 'new.log', 0);
  const reports: string[][] = [];
  const stop = startRetention([dir], { maxAgeDays: 7, maxTotalBytes: NO_SIZE_LIMIT }, {
    clock: () => NOW,
    onDeleted: (paths) => reports.push(paths),
  });
  t.after(stop);
  for (let i = 0; i < 200 && reports.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(reports, [[old]]);
  assert.equal(existsSync(old), false);
});

test('startRetention repeats on its interval and passes errors to onError', async (t) => {
  const root = await tempDir(t);
  const notADir = join(root, 'file.log');
  await writeFile(notADir, '');
  const errors: unknown[] = [];
  const stop = startRetention([notADir], { maxAgeDays: 1, maxTotalBytes: 1 }, { intervalMs: 10, onError: (e) => errors.push(e) });
  for (let i = 0; i < 200 && errors.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
  stop();
  assert.ok(errors.length >= 3, `ran ${errors.length} times`);
  assert.match(String(errors[0]), /ENOTDIR/);
  const count = errors.length;
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(errors.length <= count + 1, 'stopped');
});

test('the retention timer does not keep the process alive', () => {
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const stop = startRetention([], { maxAgeDays: 1, maxTotalBytes: 1 });
  const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  stop();
  assert.equal(after, before);
});
