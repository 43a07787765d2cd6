import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DailyLogWriter, partFileName, type DailyLogWriterOptions } from '../../src/server/infra/logs/daily-log-writer.js';
import { LogBudget, PARTS_PER_BUDGET } from '../../src/server/infra/logs/log-budget.js';
import { roomyBudget } from '../fixtures/log-budget.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ucupdates-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A settable clock and the file name of its UTC day. */
function fakeClock(iso: string): { now: Date; clock: () => Date } {
  const c = { now: new Date(iso), clock: () => c.now };
  return c;
}
const dayName = (at: Date): string => `day-${at.toISOString().slice(0, 10)}.log`;

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), 'condition not reached in 2 s');
}

function writer(dir: string, c: { clock: () => Date }, extra: Partial<DailyLogWriterOptions> = {}): DailyLogWriter {
  return new DailyLogWriter({ dir, budget: roomyBudget(dir), fileName: dayName, header: () => ['#h1', '#h2'], clock: c.clock, ...extra });
}

test('writes lines after the header, creating the folder, CRLF by default', async (t) => {
  const dir = join(await tempDir(t), 'nested', 'logs');
  const c = fakeClock('2024-05-01T10:00:00Z');
  const w = writer(dir, c);
  w.write('a');
  w.write('b');
  await w.close();
  assert.equal(await readFile(join(dir, 'day-2024-05-01.log'), 'utf8'), '#h1\r\n#h2\r\na\r\nb\r\n');
  assert.equal(w.droppedLines, 0);
});

test('the header callback gets the creation time; a string header is one line', async (t) => {
  const dir = await tempDir(t);
  const c = fakeClock('2024-05-01T10:11:12Z');
  const w = new DailyLogWriter({ dir, budget: roomyBudget(dir), fileName: dayName, header: (at) => `#Date ${at.toISOString()}`, eol: '\n', clock: c.clock });
  w.write('a');
  await w.close();
  assert.equal(await readFile(join(dir, 'day-2024-05-01.log'), 'utf8'), '#Date 2024-05-01T10:11:12.000Z\na\n');
});

test('rolls over to a new file, with its own header, when the day changes', async (t) => {
  const dir = await tempDir(t);
  const c = fakeClock('2024-05-01T23:59:59Z');
  const w = writer(dir, c);
  w.write('last of day 1');
  c.now = new Date('2024-05-02T00:00:00Z');
  w.write('first of day 2');
  w.write('second of day 2');
  await w.close();
  assert.deepEqual((await readdir(dir)).sort(), ['day-2024-05-01.log', 'day-2024-05-02.log']);
  assert.equal(await readFile(join(dir, 'day-2024-05-01.log'), 'utf8'), '#h1\r\n#h2\r\nlast of day 1\r\n');
  assert.equal(await readFile(join(dir, 'day-2024-05-02.log'), 'utf8'), '#h1\r\n#h2\r\nfirst of day 2\r\nsecond of day 2\r\n');
});

test('after a restart, appends to the existing file without a second header', async (t) => {
  const dir = await tempDir(t);
  const c = fakeClock('2024-05-01T08:00:00Z');
  const first = writer(dir, c);
  first.write('before restart');
  await first.close();
  const second = writer(dir, c);
  second.write('after restart');
  await second.close();
  assert.equal(await readFile(join(dir, 'day-2024-05-01.log'), 'utf8'), '#h1\r\n#h2\r\nbefore restart\r\nafter restart\r\n');
});

/** A budget of parts of `partBytes` over `dir`, started (it has counted what is on disk). */
async function smallBudget(dir: string, partBytes: number): Promise<LogBudget> {
  const b = new LogBudget({ root: dir, limits: () => ({ maxBytes: partBytes * PARTS_PER_BUDGET, maxAgeDays: 3650 }), agedDirs: [] });
  await b.start();
  return b;
}

const onDisk = async (dir: string) => {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
};

test("a day is split into parts of the budget's part size, each with the header, the first keeping the day's name", async (t) => {
  const dir = await tempDir(t);
  const budget = await smallBudget(dir, 40);
  const w = writer(dir, fakeClock('2024-05-01T08:00:00Z'), { budget });
  // 9 bytes a line: four fit a part of 40 (the header is charged when the part opens).
  for (let i = 0; i < 10; i++) w.write(`line-${i}0`);
  await w.close();
  const h = '#h1\r\n#h2\r\n';
  assert.deepEqual(await onDisk(dir), {
    'day-2024-05-01.log': `${h}line-00\r\nline-10\r\nline-20\r\nline-30\r\n`,
    'day-2024-05-01.2.log': `${h}line-40\r\nline-50\r\nline-60\r\nline-70\r\n`,
    'day-2024-05-01.3.log': `${h}line-80\r\nline-90\r\n`,
  });
  assert.equal(budget.usedBytes, 3 * h.length + 10 * 9);
  assert.equal(partFileName('u_ex240501.log', 12), 'u_ex240501.12.log');
});

test("after a restart, the day's last part is continued, and a full one is followed by the next", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'day-2024-05-01.log'), 'x'.repeat(40));
  await writeFile(join(dir, 'day-2024-05-01.2.log'), 'y'.repeat(20));
  const c = fakeClock('2024-05-01T08:00:00Z');
  const w = writer(dir, c, { budget: await smallBudget(dir, 40) });
  w.write('line-00');
  w.write('line-10');
  w.write('line-20');
  await w.close();
  const files = await onDisk(dir);
  assert.equal(files['day-2024-05-01.2.log'], `${'y'.repeat(20)}line-00\r\nline-10\r\n`);
  assert.equal(files['day-2024-05-01.3.log'], '#h1\r\n#h2\r\nline-20\r\n');
});

test('the budget holds: old parts go oldest first, the open part never, and lines that do not fit are dropped and counted', async (t) => {
  const dir = await tempDir(t);
  const budget = await smallBudget(dir, 40); // 640 bytes
  const c = fakeClock('2024-05-01T08:00:00Z');
  const w = writer(dir, c, { budget, header: undefined });
  // A burst faster than any deletion: what fits the budget is kept, the rest dropped.
  for (let i = 0; i < 100; i++) w.write(`burst-${String(i).padStart(2, '0')}`);
  assert.equal(w.droppedLines, 100 - Math.floor(640 / 10));
  // Then a steady flow: old parts make room, oldest first, and no line is lost.
  for (let i = 0; i < 300; i++) {
    await until(() => budget.usedBytes + 11 <= 640); // 11 bytes a line
    w.write(`steady${String(i).padStart(3, '0')}`);
  }
  assert.equal(w.droppedLines, 36);
  await w.close();
  const files = await onDisk(dir);
  const total = Object.values(files).reduce((n, text) => n + Buffer.byteLength(text), 0);
  assert.ok(total <= 640, `${total} bytes on disk`);
  assert.equal(files['day-2024-05-01.log'], undefined, 'the oldest part went');
  const last = Object.keys(files).sort((a, b) => Number(/\.(\d+)\.log$/.exec(b)?.[1] ?? 1) - Number(/\.(\d+)\.log$/.exec(a)?.[1] ?? 1))[0]!;
  assert.match(files[last]!, /steady299\r\n$/);
});

test('headerOnAppend: a file continued after a restart gets the header again (W3C directives, as IIS writes them)', async (t) => {
  const dir = await tempDir(t);
  const c = fakeClock('2024-05-01T08:00:00Z');
  let set = 'A';
  const w3c = (): Partial<DailyLogWriterOptions> => ({ header: () => [`#Fields: ${set}`], headerOnAppend: true });
  const first = writer(dir, c, w3c());
  first.write('a1');
  await first.close();
  set = 'B';
  const second = writer(dir, c, w3c());
  second.write('b1');
  await second.close();
  assert.equal(await readFile(join(dir, 'day-2024-05-01.log'), 'utf8'), '#Fields: A\r\na1\r\n#Fields: B\r\nb1\r\n');
});

test('headerChanged: the current file gets the new header right before the next line, once', async (t) => {
  const dir = await tempDir(t);
  const c = fakeClock('2024-05-01T23:59:58Z');
  let set = 'A';
  const w = writer(dir, c, { header: () => [`#Fields: ${set}`] });
  w.headerChanged(); // no file yet: the first one is opened with the header anyway
  w.write('a1');
  set = 'B';
  w.headerChanged();
  w.write('b1');
  w.write('b2');
  set = 'C';
  w.headerChanged();
  c.now = new Date('2024-05-02T00:00:00Z'); // a new day's file has the header of its own
  w.write('c1');
  await w.close();
  assert.deepEqual(await onDisk(dir), {
    'day-2024-05-01.log': '#Fields: A\r\na1\r\n#Fields: B\r\nb1\r\nb2\r\n',
    'day-2024-05-02.log': '#Fields: C\r\nc1\r\n',
  });
});

test('headerChanged: a header and its line are kept or dropped together; a dropped one is written with the next line', async (t) => {
  const dir = await tempDir(t);
  const c = fakeClock('2024-05-01T08:00:00Z');
  let set = 'A';
  const w = writer(dir, c, { header: () => [`#Fields: ${set}`], maxBufferedBytes: 20 });
  const file = join(dir, 'day-2024-05-01.log');
  w.write('a'.repeat(20)); // fills the buffer bound while the file opens
  set = 'B';
  w.headerChanged();
  w.write('b1');
  assert.equal(w.droppedLines, 1);
  // Once the file has taken the first line, the next one goes in, after the header.
  for (let i = 0; i < 400 && !(existsSync(file) && (await readFile(file, 'utf8')).includes('a'.repeat(20))); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  w.write('b2');
  await w.close();
  assert.equal(await readFile(file, 'utf8'), `#Fields: A\r\n${'a'.repeat(20)}\r\n#Fields: B\r\nb2\r\n`);
  assert.equal(w.droppedLines, 1);
});

test('an existing empty file gets the header', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'day-2024-05-01.log'), '');
  const w = writer(dir, fakeClock('2024-05-01T08:00:00Z'));
  w.write('a');
  await w.close();
  assert.equal(await readFile(join(dir, 'day-2024-05-01.log'), 'utf8'), '#h1\r\n#h2\r\na\r\n');
});

test('lines beyond maxBufferedBytes are dropped and counted, never thrown or queued', async (t) => {
  const dir = await tempDir(t);
  const w = writer(dir, fakeClock('2024-05-01T08:00:00Z'), { maxBufferedBytes: 100, header: undefined });
  // 10 bytes per line with CRLF; all written before the file has opened.
  for (let i = 0; i < 50; i++) w.write(`line-${String(i).padStart(3, '0')}`);
  assert.equal(w.droppedLines, 40);
  await w.close();
  const lines = (await readFile(join(dir, 'day-2024-05-01.log'), 'utf8')).split('\r\n');
  assert.equal(lines.length, 11); // 10 lines and the final ''
  assert.equal(lines[9], 'line-009');
});

test('the buffer bound also applies once the file is open (slow disk)', async (t) => {
  const dir = await tempDir(t);
  const w = writer(dir, fakeClock('2024-05-01T08:00:00Z'), { maxBufferedBytes: 100, header: undefined });
  w.write('opened!!');
  const path = join(dir, 'day-2024-05-01.log');
  await until(() => existsSync(path));
  await new Promise((r) => setTimeout(r, 50)); // let the first write complete
  for (let i = 0; i < 50; i++) w.write(`line-${String(i).padStart(3, '0')}`);
  assert.equal(w.droppedLines, 40);
  await w.close();
  const lines = (await readFile(path, 'utf8')).split('\r\n');
  assert.deepEqual([lines.length, lines[0], lines[10]], [12, 'opened!!', 'line-009']);
});

test('writes after close are dropped and counted', async (t) => {
  const dir = await tempDir(t);
  const w = writer(dir, fakeClock('2024-05-01T08:00:00Z'));
  w.write('a');
  await w.close();
  w.write('late');
  assert.equal(w.droppedLines, 1);
  assert.equal(await readFile(join(dir, 'day-2024-05-01.log'), 'utf8'), '#h1\r\n#h2\r\na\r\n');
});

test('an unusable folder: reported once, lines counted, retried after a back-off', async (t) => {
  const root = await tempDir(t);
  const blocker = join(root, 'blocker');
  await writeFile(blocker, 'not a folder');
  const dir = join(blocker, 'logs');
  const c = fakeClock('2024-05-01T08:00:00Z');
  const errors: Error[] = [];
  const w = writer(dir, c, { onError: (err) => errors.push(err) });

  w.write('1');
  w.write('2');
  await until(() => errors.length === 1);
  assert.equal(w.droppedLines, 2);
  w.write('3'); // within the back-off: dropped without retrying
  assert.equal(w.droppedLines, 3);

  c.now = new Date('2024-05-01T08:00:01.500Z'); // past the first 1 s back-off: retried, fails again
  w.write('4');
  await until(() => w.droppedLines === 4);
  assert.equal(errors.length, 1, 'reported once per outage');

  await rm(blocker);
  c.now = new Date('2024-05-01T08:00:03.000Z'); // still inside the doubled (2 s) back-off
  w.write('5');
  assert.equal(w.droppedLines, 5);
  c.now = new Date('2024-05-01T08:00:04.000Z');
  w.write('6');
  await w.close();
  assert.equal(await readFile(join(dir, 'day-2024-05-01.log'), 'utf8'), '#h1\r\n#h2\r\n6\r\n');
  assert.equal(w.droppedLines, 5);
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? '', /ENOTDIR|EEXIST/);
});

test('a new day retries at once, even inside the back-off', async (t) => {
  const root = await tempDir(t);
  const blocker = join(root, 'blocker');
  await writeFile(blocker, '');
  const c = fakeClock('2024-05-01T23:59:59Z');
  const errors: Error[] = [];
  const w = writer(join(blocker, 'logs'), c, { onError: (err) => errors.push(err) });
  w.write('lost');
  await until(() => errors.length === 1);
  await rm(blocker);
  c.now = new Date('2024-05-02T00:00:00Z');
  w.write('kept');
  await w.close();
  assert.equal(await readFile(join(blocker, 'logs', 'day-2024-05-02.log'), 'utf8'), '#h1\r\n#h2\r\nkept\r\n');
  assert.equal(w.droppedLines, 1);
});

test('a second outage after a recovery is reported again', async (t) => {
  const root = await tempDir(t);
  const blocker = join(root, 'blocker');
  await writeFile(blocker, '');
  const c = fakeClock('2024-05-01T08:00:00Z');
  const errors: Error[] = [];
  const w = writer(join(blocker, 'logs'), c, { onError: (err) => errors.push(err) });
  w.write('lost 1');
  await until(() => errors.length === 1);
  await rm(blocker);
  c.now = new Date('2024-05-02T08:00:00Z');
  w.write('kept');
  const kept = join(blocker, 'logs', 'day-2024-05-02.log');
  await until(() => existsSync(kept));
  await new Promise((r) => setTimeout(r, 50)); // the write succeeds: the outage is over
  await rm(blocker, { recursive: true });
  await writeFile(blocker, '');
  c.now = new Date('2024-05-03T08:00:00Z');
  w.write('lost 2');
  await until(() => errors.length === 2);
  await w.close();
  assert.equal(w.droppedLines, 2);
});

test('a write error (disk full) is reported once and the lines are counted', { skip: !existsSync('/dev/full') }, async () => {
  const errors: Error[] = [];
  const w = new DailyLogWriter({ dir: '/dev', budget: roomyBudget(tmpdir()), fileName: () => 'full', onError: (err) => errors.push(err) });
  w.write('a');
  w.write('b');
  await until(() => errors.length === 1);
  await until(() => w.droppedLines === 2);
  await w.close();
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? '', /ENOSPC/);
});

test('a throwing fileName or onError callback does not escape write()', async (t) => {
  const dir = await tempDir(t);
  const w = new DailyLogWriter({
    dir,
    budget: roomyBudget(dir),
    fileName: () => {
      throw new Error('bad name');
    },
    onError: () => {
      throw new Error('bad handler');
    },
  });
  assert.doesNotThrow(() => w.write('x'));
  assert.equal(w.droppedLines, 1);
  await w.close();
});
