// One writer per data folder, and admin writes that never fail because phones are checking in. Attacks: a second
// server (a second `serve`, or the desktop app) on a folder already served; a server killed with -9 leaving its lock;
// settings changed from another process, as the CLI does, while a storm of phones fills the inventory.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { DEFAULT_PHONE, simulateCheck } from '../../src/cli/phone-simulator.js';
import { storePaths } from '../../src/server/app/store.js';
import type { SqliteEngine } from '../../src/server/infra/db/engine.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const src = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', path)).href);

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => (tmp = await tempDir('ucu-writers-')));
after(() => tmp.remove());

/** A node process running `code` (an ES module, through tsx) with `args`; `output` resolves when it ends. */
function child(code: string, args: string[]): { proc: ChildProcess; output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { proc, output };
}

test('a second server on a served data folder is refused naming the PID and the folder; the first keeps its server.json and its phones', async () => {
  const data = join(tmp.dir, 'twice');
  const first = await startTestServer(data);
  try {
    const runFile = storePaths(data).runFile;
    const written = readFileSync(runFile, 'utf8');
    await assert.rejects(startTestServer(data), (e: Error) => {
      assert.equal(e.message, `Another ucupdates (PID ${process.pid}) is already serving the data folder ${data}: stop it first, or give this one another data folder with --data.`);
      return true;
    });
    assert.equal(readFileSync(runFile, 'utf8'), written, "the refused server left the first one's server.json alone");
    assert.equal((await simulateCheck(first.urls.http, DEFAULT_PHONE)).status, 200);
  } finally {
    await first.close();
  }
  assert.equal(existsSync(storePaths(data).runFile), false, 'the first removed its own server.json when it stopped');
  const again = await startTestServer(data);
  await again.close();
});

test('the lock of a server killed with -9 is taken over at the next start', async () => {
  const data = join(tmp.dir, 'killed');
  await (await startTestServer(data)).close(); // the folder and its store exist, as after a first run
  const holder = child(
    `const { lockDataFolder } = await import(${src('server/infra/data-lock.ts')});
     lockDataFolder(process.argv[1]); setInterval(() => {}, 60_000);`,
    [data],
  );
  try {
    await eventually(() => assert.match(readFileSync(join(data, 'server.pid'), 'utf8'), new RegExp(`^${holder.proc.pid}$`)), 60_000); // a loaded machine starts tsx slowly
    await assert.rejects(startTestServer(data), new RegExp(`PID ${holder.proc.pid}\\)`), 'the other process really holds the lock');
  } finally {
    holder.proc.kill('SIGKILL');
  }
  await holder.output;
  assert.equal(readFileSync(join(data, 'server.pid'), 'utf8'), String(holder.proc.pid), 'the dead server left its PID behind');
  const server = await startTestServer(data);
  try {
    assert.equal(readFileSync(join(data, 'server.pid'), 'utf8'), String(process.pid));
    assert.equal((await simulateCheck(server.urls.http, DEFAULT_PHONE)).status, 200);
  } finally {
    await server.close();
  }
});

test('100 settings changes from another process (the CLI\'s way: open, change, close) all succeed while a phone storm checks in', async () => {
  const data = join(tmp.dir, 'storm');
  const server = await startTestServer(data);
  try {
    const writes = 100;
    // Spread over a few seconds so that they meet several inventory flushes (one a second), as an admin's would.
    const writer = child(
      `const { Store } = await import(${src('server/app/store.ts')});
       const { updateSettings } = await import(${src('server/app/settings.ts')});
       const [dir, n] = process.argv.slice(1);
       const failed = [];
       for (let i = 0; i < Number(n); i++) {
         try {
           const store = new Store(dir);
           try { await updateSettings(store, { deviceStuckHours: 10 + i }, 'cli:storm-test'); } finally { await store.close(); }
         } catch (e) { failed.push(e.message); }
         await new Promise((r) => setTimeout(r, 25));
       }
       process.stdout.write(JSON.stringify(failed));`,
      [data, String(writes)],
    );
    let done = false;
    let checks = 0;
    const refused: number[] = [];
    const phone = async (n: number) => {
      for (let i = 0; !done; i++) {
        const mac = ((n * 1_000_000 + i) % 0xffffffffffff).toString(16).padStart(12, '0');
        const r = await simulateCheck(server.urls.http, { ...DEFAULT_PHONE, mac, serial: `S${mac}` });
        checks++;
        if (r.status !== 200) refused.push(r.status);
      }
    };
    const storm = Promise.all(Array.from({ length: 40 }, (_, n) => phone(n)));
    const result = await writer.output;
    done = true;
    await storm;

    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), [], 'no settings change failed');
    assert.deepEqual(refused, [], 'every phone was answered');
    assert.equal((await server.store.settings.read()).deviceStuckHours, 10 + writes - 1);
    const history = (await server.store.history.list(1000)).filter((h) => h.actor === 'cli:storm-test');
    assert.equal(history.length, writes);
    // The storm really wrote the inventory meanwhile: most of its phones are recorded.
    const recorded = () => (server.store.engine as SqliteEngine).db.prepare('SELECT count(*) FROM devices').pluck().get() as number;
    await eventually(() => assert.ok(recorded() > checks / 2, `${recorded()} of ${checks} phones recorded`));
    assert.ok(checks > 500, `the storm sent ${checks} checks`);
    assert.equal((await simulateCheck(server.urls.http, DEFAULT_PHONE)).status, 200);
  } finally {
    await server.close();
  }
});
