// A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temporary folder as an unprivileged user,
// one postgres on a free loopback port, removed at the end. Never assumes a server runs (Debian's own on 5432 is
// left alone). Debian keeps the server tools off PATH, under /usr/lib/postgresql/<major>/bin.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The unprivileged system user that owns the clusters when the tests run as root (CI does): postgres refuses root. */
const CLUSTER_USER = 'ucupdates-test';

export interface PgCluster {
  /** postgres://ucupdates@127.0.0.1:<port>/ucupdates (trust authentication on loopback). */
  url: string;
  /** A URL of another database of the same cluster, created empty (a second pool, a migration's target). */
  createDatabase(name: string): string;
  /** Stops the server (fast shutdown), keeping the data: start() brings it back on the same port. */
  stop(): void;
  start(): void;
  /** Stops it and removes the cluster. */
  remove(): void;
}

function serverBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  const major = majors.find((m) => existsSync(join(root, m, 'bin', 'initdb')));
  return major && join(root, major, 'bin');
}

/** Why no cluster can start here (for a skipped test's message), or undefined when one can. */
export function pgMissing(): string | undefined {
  return serverBin() ? undefined : 'PostgreSQL server tools are not installed (apt-get install postgresql; .ci/run does)';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

function ensureUser(): void {
  if (spawnSync('id', ['-u', CLUSTER_USER]).status === 0) return;
  execFileSync('useradd', ['-r', '-M', '-s', '/usr/sbin/nologin', CLUSTER_USER]);
}

/** Runs a server tool as the cluster's owner. */
function run(bin: string, tool: string, args: string[]): void {
  const cmd = asRoot() ? 'runuser' : join(bin, tool);
  const argv = asRoot() ? ['-u', CLUSTER_USER, '--', join(bin, tool), ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${tool} ${args[0] ?? ''} failed: ${(r.stderr || r.stdout).trim()}`);
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = serverBin();
  if (!bin) throw new Error(pgMissing());
  if (asRoot()) ensureUser();
  const root = mkdtempSync(join(tmpdir(), 'ucu-pg-'));
  chmodSync(root, 0o777); // the cluster's owner writes here; the folder is removed at the end
  const data = join(root, 'data');
  const port = await freePort();
  run(bin, 'initdb', ['-D', data, '-U', 'ucupdates', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const start = () =>
    run(bin, 'pg_ctl', ['-D', data, '-o', `-p ${port} -k ${root} -h 127.0.0.1 -c fsync=off -c max_connections=200`, '-l', join(root, 'log'), '-w', 'start']);
  start();
  const base = `postgres://ucupdates@127.0.0.1:${port}`;
  const createDatabase = (name: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Not a database name: ${name}`);
    run(bin, 'psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'ucupdates', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`]);
    return `${base}/${name}`;
  };
  const url = createDatabase('ucupdates');
  let running = true;
  const stop = () => {
    if (running) run(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    running = false;
  };
  return {
    url,
    createDatabase,
    stop,
    start: () => {
      if (!running) start();
      running = true;
    },
    remove: () => {
      try {
        stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
