// Real data for the benchmarks: cabs built with the test fixtures (Debian's gcab), imported with importPackage into a
// fresh data folder, rules approved with applyRuleAction, test devices added with addTestDevice; then the server is
// started as a child process on that folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DEFAULT_PHONE, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { importPackage, type ImportKind } from '../../src/server/app/import-package.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { addTestDevice } from '../../src/server/app/test-devices.js';
import { Store } from '../../src/server/app/store.js';
import { ruleKeyPath } from '../../src/server/domain/device.js';
import type { ImportSummary } from '../../src/shared/admin-api.js';
import { HOST, startChild, which, type Child } from './harness.js';

export const ACTOR = 'bench';

export async function importInto(store: Store, file: string, kind: ImportKind = 'package'): Promise<ImportSummary> {
  return importPackage(store, file, { fileName: file.slice(file.lastIndexOf('/') + 1), actor: ACTOR, kind });
}

/** Approves the pending version of every rule whose path (UCPhone/Polycom/CX600/A/ENU/CPE) the predicate accepts. */
export async function approveWhere(store: Store, accept: (rulePath: string) => boolean): Promise<string[]> {
  const rules = (await store.rules.list()).filter((r) => r.pending && accept(ruleKeyPath(r)));
  if (rules.length === 0) return [];
  await applyRuleAction(store, 'approve', rules.map((r) => r.id), ACTOR);
  return rules.map((r) => ruleKeyPath(r));
}

export async function addTestDevices(store: Store, devices: { name: string; mac?: string; serial?: string }[]): Promise<void> {
  for (const d of devices) await addTestDevice(store, d, ACTOR);
}

export interface RunningChild {
  child: Child;
  port: number;
  url: string;
}

/** Where the server child writes its CPU profile when BENCH_CPU_PROF=1 (kept after the run). */
export function profileDir(): string | undefined {
  if (process.env.BENCH_CPU_PROF !== '1') return undefined;
  const dir = process.env.BENCH_CPU_PROF_DIR ?? join(tmpdir(), 'ucupdates-bench-profiles');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Our server (startServer) as a child process on dataDir. BENCH_CPU_PROF=1 profiles it (node --cpu-prof). `nodeArgs`
 * runs it as README's "Running it safely" runs the service (NODE_OPTIONS=--max-old-space-size=256).
 */
export async function startOurServer(dataDir: string, nodeArgs: string[] = []): Promise<RunningChild> {
  const prof = profileDir();
  const child = startChild('bench/lib/server-child.ts', [dataDir], {
    tsx: true,
    nodeArgs: [...nodeArgs, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])],
  });
  const ready = await child.ready;
  const port = Number(ready.http);
  if (prof) console.log(`  (our server's CPU profile will be written to ${prof} when it stops)`);
  return { child, port, url: `http://${HOST}:${port}` };
}

/** The baseline bare node:http child: 'fixed' answers with the bytes of file, 'file' streams file. */
export async function startBareServer(mode: 'fixed' | 'file', file: string): Promise<RunningChild> {
  const child = startChild('bench/lib/bare-child.ts', [mode, file], { tsx: true });
  const port = Number((await child.ready).http);
  return { child, port, url: `http://${HOST}:${port}` };
}

export function nginxPath(): string | undefined {
  return which('nginx');
}

export const NGINX_MISSING = 'skipped: nginx not installed (apt-get install nginx-light)';
export const WRK_MISSING = 'skipped: wrk not installed (apt-get install wrk)';

/** A phone's MAC from a number: Polycom's OUI 00-04-F2 and 24 bits of n (distinct for n < 16,777,216). */
export function macOf(n: number, oui = '0004F2'): string {
  return oui + (n & 0xffffff).toString(16).toUpperCase().padStart(6, '0');
}

export function serialOf(n: number, prefix = 'C185H'): string {
  return prefix + String(n).padStart(7, '0');
}

/** Phone n: a CX600 (ENU) on an older CU, so that the approved 4.0.7577.4366 is offered to it. */
export const olderCx600 = (n: number): SimulatedPhone => ({ ...DEFAULT_PHONE, mac: macOf(n), serial: serialOf(n), version: '4.0.7577.4115', userName: `user${n}@contoso.com` });
