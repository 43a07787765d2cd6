// A start that cannot work ends in one sentence saying what to do: a damaged database, a data folder or database the
// service's account cannot write, a full disk. Read-only is played by an unprivileged account (chmod does not stop
// root, which runs these tests): the CLI's `serve` is run as `nobody`. A full disk is a real one: a tiny tmpfs
// mounted in a private mount namespace (unshare -m, as root); that test is skipped where it cannot be made.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { Store, storePaths } from '../../src/server/app/store.js';
import type { SqliteEngine } from '../../src/server/infra/db/engine.js';
import { freshStore, startTestServer, tempDir } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const src = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', path)).href);
const BOOT = `import(${src('cli/main.ts')}).then(async (m) => { process.exitCode = await m.runCli(process.argv.slice(1)); })`;
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('ucu-storage-');
  chmodSync(tmp.dir, 0o755); // mkdtemp makes it 0700: nobody could not even look inside
});
after(() => tmp.remove());

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000); // a serve that started would never end
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `ucupdates serve` on `data` as an account that is not root (nobody, when the tests run as root). */
const serveUnprivileged = (data: string) =>
  run(process.execPath, ['--import', 'tsx', '-e', BOOT, '--', '--data', data, 'serve', '--http-port', '0', '--https-port', '0', '--admin-port', '0'], {
    ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    env: { ...process.env, UCUPDATES_DATA: '' },
  });

/** A store made by a first run, then its folder (and files) handed to the unprivileged account when we are root. */
async function existingStore(name: string, giveAway: boolean): Promise<string> {
  const data = join(tmp.dir, name);
  await freshStore(data).close();
  chmodSync(data, 0o755);
  if (isRoot && giveAway) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, data]);
  return data;
}

test('a file that is not a database is refused in one sentence, and left as it was', async () => {
  const data = join(tmp.dir, 'garbage');
  mkdirSync(data);
  const db = storePaths(data).dbFile;
  writeFileSync(db, 'These are not the pages you are looking for.\n'.repeat(200));
  const sentence = new RegExp(`^The database ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(file is not a database\\): restore it from a backup, or move it aside so that ucupdates starts with an empty one\\.$`);
  assert.throws(() => new Store(data), { message: sentence });
  await assert.rejects(startTestServer(data), { message: sentence });
  assert.match(readFileSync(db, 'utf8'), /^These are not the pages/, 'the damaged file is kept for the admin to look at');
});

test('a database damaged deep inside (a page of the inventory) is refused when a server starts, not at the first read', async () => {
  const data = join(tmp.dir, 'corrupt');
  const store = freshStore(data);
  (store.engine as SqliteEngine).db.exec(`INSERT INTO devices (identity, mac, serial, device_type, vendor, model, revision, locale, version, user_name, address, first_seen, last_seen, phase)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    SELECT 'mac:' || printf('%012x', i), printf('%012x', i), 'S' || i, 'UCPhone', 'Polycom', 'CX600', 'A', 'ENU', '4.0.7577.4100', 'user' || i, '10.0.0.1',
      '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'current' FROM n`);
  await store.close();
  const db = storePaths(data).dbFile;
  const pages = statSync(db).size / 4096;
  const fd = openSync(db, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages * 0.6) * 4096); // one page, as a bad sector would
  closeSync(fd);
  await freshStore(data).close(); // opening alone does not notice
  await assert.rejects(startTestServer(data), {
    message: /^The database .*ucupdates\.db is damaged \(.+\): restore it from a backup, or move it aside so that ucupdates starts with an empty one\.$/,
  });
  assert.equal(existsSync(join(data, 'server.json')), false);
});

test('a data folder the service account cannot write ends `serve` with one sentence (exit 1)', async () => {
  const data = await existingStore('not-ours', false);
  if (!isRoot) chmodSync(data, 0o555);
  const r = await serveUnprivileged(data);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /^ucupdates: \/.*not-ours\S* cannot be written \(.+\): give the account that runs it write access to the data folder and everything in it, or choose another folder with --data\.\n$/);
});

test('a read-only database file ends `serve` with one sentence (exit 1), instead of failing the first write', async () => {
  const data = await existingStore('read-only-db', true);
  chmodSync(storePaths(data).dbFile, 0o444);
  const r = await serveUnprivileged(data);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /^ucupdates: \/.*read-only-db\/ucupdates\.db cannot be written \(attempt to write a readonly database\): give the account .* --data\.\n$/);
});

test('a data folder we create is owner-only', async () => {
  const data = join(tmp.dir, 'new', 'data');
  await freshStore(data).close();
  assert.equal(statSync(data).mode & 0o777, 0o700);
});

const canMount = isRoot && (() => {
  try {
    execFileSync('unshare', ['-m', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('a full disk ends the start with "disk full", leaves no half-made database or file, and the next start works once there is room', { skip: !canMount && 'needs root and unshare -m to mount a tiny tmpfs' }, async () => {
  const mnt = join(tmp.dir, 'mnt');
  mkdirSync(mnt);
  // Runs in a private mount namespace: the tmpfs mounts vanish with it. Prints what it saw as JSON.
  const script = `
    import { execFileSync } from 'node:child_process';
    import { mkdirSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
    const { startServer } = await import(${src('server/compose.ts')});
    const { writeSmallFile } = await import(${src('server/infra/small-file.ts')});
    const { pino } = await import('pino');
    const mnt = process.argv[1];
    const disk = (name, size) => { mkdirSync(mnt + '/' + name); execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=' + size, 'tmpfs', mnt + '/' + name]); return mnt + '/' + name; };
    const start = async (dataDir) => {
      try {
        const s = await startServer({ dataDir, overrides: { httpPort: 0, httpsPort: 0, adminPort: 0, adminHost: '127.0.0.1' }, log: pino({ level: 'silent' }) });
        await s.close();
        return 'started';
      } catch (e) { return e.message; }
    };
    const fill = (dir) => { try { writeFileSync(dir + '/filler', Buffer.alloc(64 << 20)); } catch {} };
    const out = {};
    const small = disk('small', '48k');
    out.newStore = await start(small + '/data');
    out.newStoreLeft = readdirSync(small + '/data').sort();
    const big = disk('big', '4m');
    out.first = await start(big + '/data');
    fill(big);
    out.full = await start(big + '/data');
    out.fullLeft = readdirSync(big + '/data').sort();
    try { writeSmallFile(big + '/data/server.json', JSON.stringify({ pad: 'x'.repeat(100000) })); out.smallFile = 'written'; } catch (e) { out.smallFile = e.code; }
    out.smallFileLeft = existsSync(big + '/data/server.json');
    rmSync(big + '/filler');
    out.afterRoom = await start(big + '/data');
    process.stdout.write(JSON.stringify(out));
  `;
  const r = await run('unshare', ['-m', '--', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script, '--', mnt]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.match(String(out.newStore), /^The disk holding \/.*\/small\/data\/ucupdates\.db is full: free some space on it \(old logs under Logs can go\) and start ucupdates again\.$/);
  // The half-made database is gone; the lock file stays, as it always does (removing it could split a later pair of starts).
  assert.deepEqual(out.newStoreLeft, ['Logs', 'files', 'server.lock', 'staging']);
  assert.equal(out.first, 'started');
  assert.match(String(out.full), /^The disk holding \/.*\/big\/data\S* is full: free some space on it/);
  assert.equal((out.fullLeft as string[]).includes('server.json'), false);
  assert.deepEqual([out.smallFile, out.smallFileLeft], ['ENOSPC', false], 'a small file the disk could not hold is removed');
  assert.equal(out.afterRoom, 'started');
});
