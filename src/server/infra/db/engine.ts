// The embedded engine: one SQLite file (WAL, shared with the CLI's processes) and the blob folder beside it.
// Transactions on the one connection are queued: each begins IMMEDIATE (the write lock before its first read), so
// another process's commit cannot make one fail half way; without `wait` a busy lock fails at once (StoreBusy).
// Other processes' commits are seen through PRAGMA data_version, polled every POLL_MS while anyone listens.
import { StoreBusy, type Repos, type StoreEngine, type TxOptions } from '../../app/store-contract.js';
import { FileStore } from '../file-store.js';
import { SqliteAdminsRepo } from './admins-repo.js';
import { BUSY_TIMEOUT_MS, checkDatabase, openDatabase, type Db } from './connection.js';
import { SqliteDeviceLogsRepo } from './device-logs-repo.js';
import { SqliteDevicesRepo } from './devices-repo.js';
import { SqliteHistoryRepo } from './history-repo.js';
import { SqlitePackagesRepo } from './packages-repo.js';
import { SqliteRulesRepo } from './rules-repo.js';
import { SqliteSettingsRepo } from './settings-repo.js';
import { SqliteSignInAttemptsRepo } from './sign-in-attempts-repo.js';
import { SqliteTestDevicesRepo } from './test-devices-repo.js';

/** How stale this process's view of changes committed by another process (the CLI) may be. */
export const POLL_MS = 250;

export class SqliteEngine implements StoreEngine {
  readonly kind = 'sqlite';
  readonly db: Db;
  readonly repos: Repos & { devices: SqliteDevicesRepo };
  readonly blobs: FileStore;
  /** The tail of the queue of transactions on this connection. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<() => void>();
  readonly #dataVersion;
  #lastVersion = -1;
  #poll: NodeJS.Timeout | undefined;

  constructor(readonly location: string, blobDir: string) {
    this.db = openDatabase(location);
    this.repos = {
      rules: new SqliteRulesRepo(this.db),
      packages: new SqlitePackagesRepo(this.db),
      testDevices: new SqliteTestDevicesRepo(this.db),
      settings: new SqliteSettingsRepo(this.db),
      history: new SqliteHistoryRepo(this.db),
      admins: new SqliteAdminsRepo(this.db),
      signInAttempts: new SqliteSignInAttemptsRepo(this.db),
      devices: new SqliteDevicesRepo(this.db),
      deviceLogs: new SqliteDeviceLogsRepo(this.db),
    };
    this.blobs = new FileStore(blobDir);
    this.#dataVersion = this.db.prepare('PRAGMA data_version').pluck();
  }

  transaction<T>(fn: (tx: Repos) => Promise<T>, opts: TxOptions = {}): Promise<T> {
    const run = this.#queue.then(() => this.#run(fn, opts));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run<T>(fn: (tx: Repos) => Promise<T>, opts: TxOptions): Promise<T> {
    // In WAL mode NORMAL skips the commit's fsync (2 ms of a held event loop); the WAL is synced at checkpoints.
    // (Not a prepared statement: SQLite applies this pragma when it compiles it, not when it runs.)
    if (opts.durable === false) this.db.pragma('synchronous = NORMAL');
    try {
      return await this.#begun(fn, opts);
    } finally {
      if (opts.durable === false) this.db.pragma('synchronous = FULL');
    }
  }

  async #begun<T>(fn: (tx: Repos) => Promise<T>, opts: TxOptions): Promise<T> {
    const wait = opts.wait === true; // SQLite waits for a lock synchronously, holding the event loop
    if (!wait) this.db.pragma('busy_timeout = 0');
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new StoreBusy('Another process is writing to the store.');
      throw e;
    } finally {
      if (!wait) this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    try {
      const result = await fn(this.repos);
      this.db.exec('COMMIT');
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.repos.devices.rolledBack();
      throw e;
    }
  }

  onExternalChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    if (!this.#poll) {
      this.#lastVersion = this.#dataVersion.get() as number;
      this.#poll = setInterval(() => this.#checkVersion(), POLL_MS).unref();
    }
    return () => {
      this.#listeners.delete(fn);
      if (this.#listeners.size === 0) this.#stopPolling();
    };
  }

  #checkVersion(): void {
    if (!this.db.open || this.db.inTransaction) return;
    const v = this.#dataVersion.get() as number;
    if (v === this.#lastVersion) return;
    this.#lastVersion = v;
    for (const fn of this.#listeners) fn();
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  /** The file is on this machine: it answers whenever this process runs. */
  async ping(): Promise<void> {}

  async check(): Promise<void> {
    checkDatabase(this.db, this.location);
  }

  async close(): Promise<void> {
    this.#stopPolling();
    await this.#queue;
    this.db.close();
  }
}
