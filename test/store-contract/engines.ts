// The store contract suite's two engines: a Store on the embedded SQLite file and a Store on a PostgreSQL pool (a
// fresh database of one throwaway cluster per test file, started on first need and removed when the file ends).
// forEachEngine() runs a case once per engine; acrossEngines() runs it on both and compares what they return.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { openStore, Store } from '../../src/server/app/store.js';
import { pgMissing, startPgCluster, type PgCluster } from '../pg-cluster.js';
import { tempDir } from '../helpers.js';

/** Every store opened in these tests reads this clock: both engines then stamp the same times. */
export const NOW = new Date(Date.UTC(2026, 0, 5, 9, 0, 0));

export interface EngineUnderTest {
  name: 'sqlite' | 'postgres';
  /** Why this engine cannot run here (the case is skipped with it). */
  skip: string | undefined;
  /** A store on an empty database in a fresh data folder, closed and removed when the file ends. */
  open(clock?: () => Date): Promise<Store>;
  /** Another store on the same database, as another process (the CLI) or another pool node opens it. */
  twin(store: Store): Promise<Store>;
}

/** A case that hangs (a change never heard) fails rather than holding the run. */
const CASE_TIMEOUT_MS = 60_000;

let cluster: Promise<PgCluster> | undefined;
let started: PgCluster | undefined;
let databases = 0;
const poolUrls = new WeakMap<Store, string>();
const cleanups: (() => Promise<void>)[] = [];
const folders: string[] = [];

after(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  started?.remove();
  started = undefined;
});
// A case that failed holding a transaction open leaves a close() that never resolves: the cluster and the data
// folders go all the same.
process.on('exit', () => {
  started?.remove();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

async function inFreshFolder(open: (dir: string) => Promise<Store>): Promise<Store> {
  const t = await tempDir('ucu-contract-');
  folders.push(t.dir);
  const store = await open(t.dir);
  cleanups.push(t.remove, () => store.close());
  return store;
}

export const ENGINES: readonly EngineUnderTest[] = [
  {
    name: 'sqlite',
    skip: undefined,
    open: (clock = () => NOW) => inFreshFolder(async (dir) => new Store(dir, clock)),
    twin: async (store) => {
      const twin = new Store(store.paths.dataDir, () => store.now());
      cleanups.push(() => twin.close());
      return twin;
    },
  },
  {
    name: 'postgres',
    skip: pgMissing(),
    open: (clock = () => NOW) =>
      inFreshFolder(async (dir) => {
        cluster ??= startPgCluster().then((c) => (started = c));
        const url = (await cluster).createDatabase(`contract${++databases}`);
        const store = await openStore(dir, { pool: url, clock });
        poolUrls.set(store, url);
        return store;
      }),
    twin: (store) => inFreshFolder((dir) => openStore(dir, { pool: poolUrls.get(store)!, clock: () => store.now() })),
  },
];

/** One test per engine, named after it, on a store reading `clock` (default: NOW). */
export function forEachEngine(name: string, fn: (store: Store, engine: EngineUnderTest) => Promise<void>, clock?: () => Date): void {
  for (const e of ENGINES) test(`${name} [${e.name}]`, { skip: e.skip, timeout: CASE_TIMEOUT_MS }, async () => fn(await e.open(clock), e));
}

/** Runs fn on a store of each engine that can run here; what it returns must be equal (normalise() it first). */
export function acrossEngines<T>(name: string, fn: (store: Store, engine: EngineUnderTest) => Promise<T>): void {
  test(`${name} [sqlite = postgres]`, { timeout: 2 * CASE_TIMEOUT_MS }, async (t) => {
    const results: { name: string; value: T }[] = [];
    for (const e of ENGINES) {
      if (e.skip) t.diagnostic(`${e.name} skipped: ${e.skip}`);
      else results.push({ name: e.name, value: await fn(await e.open(), e) });
    }
    for (const r of results.slice(1)) assert.deepEqual(r.value, results[0]!.value, `${r.name} differs from ${results[0]!.name}`);
  });
}

/** Ids (keys `id`, `…Id`, `…Ids`) replaced by a placeholder: what two engines may number apart (a PostgreSQL sequence
 * is not rolled back with its transaction). Times stay: both engines' stores read the same fixed clock. */
export function normalise(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, key));
  if (value instanceof Map) return normalise(Object.fromEntries(value), key);
  if (value instanceof Set) return normalise([...value].sort(), key);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, k)]));
  }
  if (typeof value === 'number' && /^id$|Ids?$/.test(key)) return '<id>';
  return value;
}
