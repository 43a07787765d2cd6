// What every benchmark stands on: temp folders that are removed afterwards, child processes (servers) that are
// killed at the end even on failure, time bounds, printing, and handing results to bench/run-all.ts over IPC.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HOST = '127.0.0.1';

// ---- cleanup: temp folders and children, on success, failure, Ctrl-C or a parent that goes away ----

const tempDirs = new Set<string>();
const children = new Set<ChildProcess>();

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ucupdates-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function cleanupSync(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

/** SIGTERM to every child still running (so a benchmark child can clean up its own), SIGKILL after graceMs. */
function terminateChildren(graceMs: number): Promise<void> {
  const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  return new Promise((resolve) => {
    if (alive.length === 0) return resolve();
    let left = alive.length;
    const timer = setTimeout(resolve, graceMs);
    for (const c of alive) {
      c.once('exit', () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.kill('SIGTERM');
    }
  });
}

process.on('exit', cleanupSync);
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${sig}: stopping the benchmark.`);
    void terminateChildren(5_000).finally(() => process.exit(130));
  });
}
// Started by run-all: when it goes away, so do we (and our children, through the exit handler).
if (process.send) process.on('disconnect', () => process.exit(1));

// ---- child processes ----

export interface Child {
  proc: ChildProcess;
  /** The first IPC message the child sends (its ports). */
  ready: Promise<Record<string, unknown>>;
  /** Asks the child to stop (IPC "stop"), waits up to graceMs, then kills it. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs a TypeScript file (through tsx) or any program as a child; children are always killed when we exit. */
export function startChild(
  command: string,
  args: string[],
  opts: { tsx?: boolean; nodeArgs?: string[]; env?: Record<string, string>; ipc?: boolean; startTimeoutMs?: number; quiet?: boolean } = {},
): Child {
  const ipc = opts.ipc ?? true;
  const file = opts.tsx ? process.execPath : command;
  const argv = opts.tsx ? [...(opts.nodeArgs ?? []), '--import', 'tsx', command, ...args] : args;
  const proc = spawn(file, argv, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', opts.quiet ? 'ignore' : 'inherit', 'inherit', ...(ipc ? (['ipc'] as const) : [])],
  });
  children.add(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  void exited.then(() => children.delete(proc));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    if (!ipc) return resolve({});
    const timer = setTimeout(() => reject(new Error(`${command} did not start within ${opts.startTimeoutMs ?? 60_000} ms`)), opts.startTimeoutMs ?? 60_000);
    proc.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as Record<string, unknown>);
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited before it was ready (${signal ?? `exit code ${code}`})`));
    });
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  ready.catch(() => {});
  return {
    proc,
    ready,
    async stop(graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      if (ipc && proc.connected) proc.send({ type: 'stop' });
      else proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port free right now on 127.0.0.1 (for programs, such as nginx, that cannot report the port they got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Where a program is on the PATH (or in sbin, where Debian puts nginx), or undefined.
 * BENCH_WITHOUT=nginx,wrk pretends they are not installed (to see the benchmarks' "skipped" paths).
 */
export function which(program: string): string | undefined {
  if ((process.env.BENCH_WITHOUT ?? '').split(',').includes(program)) return undefined;
  const r = spawnSync('sh', ['-c', `command -v ${program} || { test -x /usr/sbin/${program} && echo /usr/sbin/${program}; }`], { encoding: 'utf8' });
  const path = r.stdout.trim().split('\n')[0];
  return r.status === 0 && path ? path : undefined;
}

// ---- bounds ----

/** Rejects after ms with a message naming what took too long (the timer does not keep the process alive). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
      timer.unref();
    }),
  ]);
}

// ---- results ----

export interface RatioRow {
  bench: string;
  metric: string;
  ours: string;
  baseline: string;
  ratio: number | null;
  target: string;
  /** Whether the ratio meets the target: informative only, benchmarks never fail on timings. */
  met: boolean | null;
  note?: string;
}

/** ours/baseline with the target direction: '>=' for rates (higher is better), '<=' for times. */
export function ratioRow(
  bench: string,
  metric: string,
  ours: number,
  baseline: number,
  unit: string,
  target: { op: '>=' | '<='; value: number },
  note?: string,
): RatioRow {
  const ratio = baseline > 0 && Number.isFinite(ours) ? ours / baseline : null;
  return {
    bench,
    metric,
    ours: `${fmt(ours)} ${unit}`,
    baseline: `${fmt(baseline)} ${unit}`,
    ratio,
    target: `${target.op} ${target.value}`,
    met: ratio === null ? null : target.op === '>=' ? ratio >= target.value : ratio <= target.value,
    ...(note ? { note } : {}),
  };
}

/** Prints the rows, and hands them to run-all when it started us. */
export function report(rows: RatioRow[]): void {
  console.log('');
  printTable(rows);
  process.send?.({ type: 'result', rows });
}

export function printTable(rows: RatioRow[]): void {
  const header = ['benchmark', 'metric', 'ours', 'baseline', 'ratio', 'target', 'met'];
  const lines = rows.map((r) => [r.bench, r.metric, r.ours, r.baseline, r.ratio === null ? '-' : r.ratio.toFixed(3), r.target, r.met === null ? '-' : r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
  for (const r of rows) if (r.note) console.log(`  ${r.bench} / ${r.metric}: ${r.note}`);
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function heading(text: string): void {
  console.log(`\n== ${text} ==`);
}

/** Runs the benchmark's main; any failure is printed and exits 1 (children and temp folders go with the exit handler). */
export function runMain(main: () => Promise<void>, overallMs: number, name: string): void {
  const started = Date.now();
  withTimeout(main(), overallMs, name)
    .then(() => {
      console.log(`\n${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.exit(0);
    })
    .catch((e: unknown) => {
      console.error(`\n${name} FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    });
}
