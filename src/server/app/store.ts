// The store: the data folder (logs, staging, TLS, run file) and the engine that keeps the records and the images:
// the embedded SQLite file (the default) or a PostgreSQL pool (store-contract.ts). Every admin change goes through
// write(), so the inventory is judged again in the same transaction and the phone catalog follows it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEngine } from '../infra/db/engine.js';
import { inWords } from '../infra/storage-problem.js';
import type { BlobStore, HistoryEntry, Repos, StoreEngine } from './store-contract.js';

export interface StorePaths {
  dataDir: string;
  dbFile: string;
  blobDir: string;
  stagingDir: string;
  logDir: string;
  tlsDir: string;
  /** Written by a running server: how the local CLI reaches it (admin URL, launch token). Owner-only. */
  runFile: string;
}

export function storePaths(dataDir: string): StorePaths {
  return {
    dataDir,
    dbFile: join(dataDir, 'ucupdates.db'),
    blobDir: join(dataDir, 'files'),
    stagingDir: join(dataDir, 'staging'),
    logDir: join(dataDir, 'Logs'),
    tlsDir: join(dataDir, 'tls'),
    runFile: join(dataDir, 'server.json'),
  };
}

/**
 * The store of a data folder: its embedded SQLite file, or with `pool` (a postgres:// URL) the pool's PostgreSQL
 * database, the data folder then keeping this node's logs, staging and verified image cache.
 */
export async function openStore(dataDir: string, opts: { pool?: string; clock?: () => Date } = {}): Promise<Store> {
  if (!opts.pool) return new Store(dataDir, opts.clock);
  // PostgreSQL's driver is loaded only for a pool: a CLI command on an embedded store starts without it.
  const { openPool } = await import('../infra/pg/open-pool.js');
  const engine = await openPool(opts.pool, dataDir);
  try {
    return new Store(dataDir, opts.clock, () => engine);
  } catch (e) {
    await engine.close();
    throw e;
  }
}

type HistoryNote = Omit<HistoryEntry, 'id' | 'at'>;

export class Store implements Repos {
  readonly paths: StorePaths;
  readonly engine: StoreEngine;
  readonly blobs: BlobStore;
  private readonly listeners = new Set<() => void | Promise<void>>();

  /** The store of a data folder: its embedded SQLite file, unless `engine` (a pool) is given. */
  constructor(dataDir: string, private readonly clock: () => Date = () => new Date(), engine?: (paths: StorePaths) => StoreEngine) {
    this.paths = storePaths(dataDir);
    try {
      // Owner-only when we create it: the store holds password hashes, the launch token and the phones' users.
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      for (const dir of [this.paths.blobDir, this.paths.stagingDir, this.paths.logDir]) mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw inWords(e, dataDir);
    }
    this.engine = engine ? engine(this.paths) : new SqliteEngine(this.paths.dbFile, this.paths.blobDir);
    this.blobs = this.engine.blobs;
  }

  // The repositories outside any transaction (reads, and the inventory's own writes).
  get rules() { return this.engine.repos.rules; }
  get packages() { return this.engine.repos.packages; }
  get testDevices() { return this.engine.repos.testDevices; }
  get settings() { return this.engine.repos.settings; }
  get history() { return this.engine.repos.history; }
  get admins() { return this.engine.repos.admins; }
  get signInAttempts() { return this.engine.repos.signInAttempts; }
  get devices() { return this.engine.repos.devices; }
  get deviceLogs() { return this.engine.repos.deviceLogs; }

  /** For a server's start: the whole store readable and writable, or one sentence on what to do. */
  check(): Promise<void> {
    return this.engine.check();
  }

  now(): Date {
    return this.clock();
  }

  /**
   * Runs fn in one transaction, with the history entries it returns written in the same transaction and the other
   * processes and nodes told of it as it commits (their phones are answered on the change at once); then waits for this process's listeners
   * (the phone catalog) to follow, and judges the device inventory again if fn changed what the rules offer
   * (app/inventory-judge.ts: the CLI's changes too), in a transaction of its own: judging 100,000 phones takes
   * seconds, and the phones of a pool's other nodes must not wait for it. The change is committed whatever the
   * judging does: a judging that fails is made up by the next change, a server's catalog refresh or its start.
   */
  async write<T>(fn: (tx: Repos, now: string) => Promise<{ result: T; history?: HistoryNote | HistoryNote[] }>): Promise<T> {
    const now = this.clock().toISOString();
    const result = await this.engine.transaction(
      async (tx) => {
        const out = await fn(tx, now);
        const entries = out.history === undefined ? [] : Array.isArray(out.history) ? out.history : [out.history];
        for (const h of entries) await tx.history.add({ ...h, at: now });
        return out.result;
      },
      { wait: true, announce: true },
    );
    await this.notify();
    // Loaded on the first change, not with the store: a CLI command that only reads starts without the decision engine.
    const { judgeInventoryNow } = await import('./inventory-judge.js');
    await judgeInventoryNow(this).catch(() => undefined);
    return result;
  }

  /** Calls fn after every change, including those committed by another process or pool node; write() waits for it. */
  onChange(fn: () => void | Promise<void>): () => void {
    this.listeners.add(fn);
    const stop = this.engine.onExternalChange(() => void fn());
    return () => {
      this.listeners.delete(fn);
      stop();
    };
  }

  private async notify(): Promise<void> {
    for (const fn of this.listeners) await fn();
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
