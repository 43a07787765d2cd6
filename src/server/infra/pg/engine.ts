// The PostgreSQL engine behind the store contract (pool mode): several servers share one database. Repositories run
// on a bounded pool; writers take one transaction-scoped advisory lock first, so that, as with SQLite's IMMEDIATE
// transactions, two admin changes on two nodes never interleave; NOTIFY on ucupdates_changes tells the other nodes.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connection.js';
import type pg from 'pg';
import {
  StoreBusy,
  type DevicesRepo,
  type Repos,
  type StoreEngine,
  type TxOptions,
} from '../../app/store-contract.js';
import { PgAdminsRepo } from './admins-repo.js';
import { PgBlobStore } from './blob-store.js';
import { ChangeListener } from './change-listener.js';
import { hostPort, inTransaction, inWords, openPool, poolUrlProblem, withoutPassword, type Queryable } from './connection.js';
import { PgDeviceLogsRepo } from './device-logs-repo.js';
import { copyEmbeddedStore, type CopyProgress, type EmbeddedBlob } from './embedded-import.js';
import { PgHistoryRepo } from './history-repo.js';
import { migrate, PG_MIGRATIONS } from './migrations.js';
import { PgPackagesRepo } from './packages-repo.js';
import { PgRulesRepo } from './rules-repo.js';
import { PgSettingsRepo } from './settings-repo.js';
import { PgSignInAttemptsRepo } from './sign-in-attempts-repo.js';
import { PgTestDevicesRepo } from './test-devices-repo.js';

/** The channel every node listens on; a notification's payload is the node id of the engine that sent it. */
export const CHANGES_CHANNEL = 'ucupdates_changes';
/** The advisory lock every writing transaction takes first (migrations.ts takes another). */
const WRITE_LOCK = 0x75637531; // 'ucu1'

/** Builds the device inventory repository on a connection (PgDevicesRepo's constructor). */
export type DevicesFactory = (q: Queryable) => DevicesRepo;


export class PgEngine implements StoreEngine {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly repos: Repos;
  readonly blobs: PgBlobStore;
  /** This engine's name in its notifications: its own are not external changes. */
  readonly nodeId = randomUUID();
  private readonly subscribers = new Set<() => void>();
  private listener: ChangeListener | undefined;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    dataDir: string,
    private readonly devices: DevicesFactory,
    /** The schema version the database had when this engine opened it (0: none; `pool init` says what it did). */
    readonly schemaFound = PG_MIGRATIONS.length,
  ) {
    this.location = withoutPassword(url);
    this.repos = this.reposOn(pool);
    this.blobs = inWordsAll(new PgBlobStore(pool, dataDir), url);
  }

  private reposOn(q: Queryable): Repos {
    const repos: Repos = {
      rules: new PgRulesRepo(q),
      packages: new PgPackagesRepo(q),
      testDevices: new PgTestDevicesRepo(q),
      settings: new PgSettingsRepo(q),
      history: new PgHistoryRepo(q),
      admins: new PgAdminsRepo(q),
      signInAttempts: new PgSignInAttemptsRepo(q),
      devices: this.devices(q),
      deviceLogs: new PgDeviceLogsRepo(q),
    };
    for (const k of Object.keys(repos) as (keyof Repos)[]) (repos as Record<keyof Repos, object>)[k] = inWordsAll(repos[k], this.url);
    return repos;
  }

  transaction<T>(fn: (tx: Repos) => Promise<T>, opts: TxOptions = {}): Promise<T> {
    return this.locked((client) => fn(this.reposOn(client)), opts);
  }

  /** fn on one client in a transaction that holds the write lock first, announced (NOTIFY) if asked as it commits. */
  private async locked<T>(fn: (client: pg.PoolClient) => Promise<T>, opts: TxOptions): Promise<T> {
    try {
      return await inTransaction(this.pool, async (client) => {
        await this.writeLock(client, opts.wait === true || opts.wait === 'unless-blocking'); // an async wait
        if (opts.durable === false) await client.query('SET LOCAL synchronous_commit = off');
        const result = await fn(client);
        if (opts.announce) await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, this.nodeId]);
        return result;
      });
    } catch (e) {
      throw inWords(e, this.url);
    }
  }

  private async writeLock(client: pg.PoolClient, wait: boolean): Promise<void> {
    if (!wait) {
      const { ok } = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${WRITE_LOCK}) AS ok`)).rows[0]!;
      if (!ok) throw new StoreBusy('Another server of the pool is changing the store; try again shortly.');
      return;
    }
    try {
      await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
    } catch (e) {
      if ((e as { code?: string }).code === '57014') throw new StoreBusy('Another server of the pool kept the store busy for too long; try again.');
      throw e;
    }
  }

  /**
   * Copies an embedded store (its image files, then its rows with their ids) into this empty pool, in one transaction
   * holding the write lock (embedded-import.ts): the pool's nodes change nothing meanwhile, and read the moved store
   * as it commits.
   */
  copyFromEmbedded(db: Db, blobs: readonly EmbeddedBlob[], progress?: CopyProgress): Promise<Record<string, number>> {
    return this.locked((client) => copyEmbeddedStore(client, db, blobs, progress), { wait: true, announce: true });
  }

  onExternalChange(fn: () => void): () => void {
    this.subscribers.add(fn);
    this.listener ??= new ChangeListener(this.url, CHANGES_CHANNEL, this.nodeId, () => {
      for (const s of [...this.subscribers]) s();
    });
    // The listener stays until close(): one subscribing later must not miss what was sent while it connected.
    return () => this.subscribers.delete(fn);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1').catch((e: unknown) => {
      throw inWords(e, this.url);
    });
  }

  /** The database reachable, writable (a write that changes nothing, committed) and of this ucupdates' schema. */
  async check(): Promise<void> {
    let version: number | undefined;
    try {
      version = (await this.pool.query<{ version: number }>('UPDATE schema_version SET version = version WHERE id = 1 RETURNING version')).rows[0]?.version;
    } catch (e) {
      throw inWords(e, this.url);
    }
    if (version !== PG_MIGRATIONS.length) {
      throw new Error(
        `The pool's database at ${hostPort(this.url)} has schema ${version ?? 'none'}, this ucupdates knows ${PG_MIGRATIONS.length}; upgrade the servers of the pool alike.`,
      );
    }
  }

  async close(): Promise<void> {
    await this.listener?.close();
    this.listener = undefined;
    this.subscribers.clear();
    await this.pool.end();
  }
}

/** Opens the pool at `url`, brings its schema up to date, and caches its blobs under `dataDir`. */
export async function openPgEngine(url: string, dataDir: string, devices: DevicesFactory): Promise<PgEngine> {
  const problem = poolUrlProblem(url);
  if (problem) throw new Error(problem);
  const pool = openPool(url);
  let found: number;
  try {
    found = await migrate(pool);
  } catch (e) {
    await pool.end();
    throw inWords(e, url);
  }
  return new PgEngine(url, pool, dataDir, devices, found);
}

/** The repository with every rejection that means "cannot reach the database" put in words (StoreUnavailable). */
function inWordsAll<R extends object>(repo: R, url: string): R {
  return new Proxy(repo, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? result.catch((e: unknown) => Promise.reject(inWords(e, url))) : result;
      };
    },
  });
}
