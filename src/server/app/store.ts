// The store: the SQLite file and the blob folder under the data folder, with the repositories over them.
// Every write goes through write(), so the in-memory catalog the phone path reads is refreshed after it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkDatabase, openDatabase, type Db } from '../infra/db/connection.js';
import { HistoryRepo, type HistoryEntry } from '../infra/db/history-repo.js';
import { PackagesRepo } from '../infra/db/packages-repo.js';
import { RulesRepo } from '../infra/db/rules-repo.js';
import { SettingsRepo } from '../infra/db/settings-repo.js';
import { TestDevicesRepo } from '../infra/db/test-devices-repo.js';
import { AdminsRepo } from '../infra/db/admins-repo.js';
import { DevicesRepo } from '../infra/db/devices-repo.js';
import { DeviceLogsRepo } from '../infra/db/device-logs-repo.js';
import { FileStore } from '../infra/file-store.js';
import { inWords } from '../infra/storage-problem.js';
import { judgeInventory } from './inventory-judge.js';

/** How stale a running server's view of changes made by another process (the CLI) may be. */
export const POLL_MS = 250;

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

export class Store {
  readonly paths: StorePaths;
  readonly db: Db;
  readonly rules: RulesRepo;
  readonly packages: PackagesRepo;
  readonly testDevices: TestDevicesRepo;
  readonly settings: SettingsRepo;
  readonly history: HistoryRepo;
  readonly admins: AdminsRepo;
  /** Written by the inventory recorder directly (not through write()): inventory rows never change the catalog. */
  readonly devices: DevicesRepo;
  readonly deviceLogs: DeviceLogsRepo;
  readonly blobs: FileStore;
  private readonly listeners = new Set<() => void>();
  private readonly dataVersion;
  private lastDataVersion = -1;
  private lastPollAt = 0;

  constructor(dataDir: string, private readonly clock: () => Date = () => new Date()) {
    this.paths = storePaths(dataDir);
    try {
      // Owner-only when we create it: the store holds password hashes, the launch token and the phones' users.
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      for (const dir of [this.paths.blobDir, this.paths.stagingDir, this.paths.logDir]) mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw inWords(e, dataDir);
    }
    this.db = openDatabase(this.paths.dbFile);
    this.rules = new RulesRepo(this.db);
    this.packages = new PackagesRepo(this.db);
    this.testDevices = new TestDevicesRepo(this.db);
    this.settings = new SettingsRepo(this.db);
    this.history = new HistoryRepo(this.db);
    this.admins = new AdminsRepo(this.db);
    this.devices = new DevicesRepo(this.db);
    this.deviceLogs = new DeviceLogsRepo(this.db);
    this.blobs = new FileStore(this.paths.blobDir);
    this.dataVersion = this.db.prepare('PRAGMA data_version').pluck();
  }

  /** For a server's start: the whole database readable and writable, or one sentence on what to do. */
  check(): void {
    checkDatabase(this.db, this.paths.dbFile);
  }

  now(): Date {
    return this.clock();
  }

  /**
   * Runs fn in one SQLite transaction, with the history entry it returns written in the same transaction, and the
   * device inventory judged again if fn changed what the rules offer (app/inventory-judge.ts: the CLI's changes too),
   * then tells listeners (the phone catalog) that the store changed. IMMEDIATE: the write lock is taken before fn
   * reads, so a phone's inventory flush committed meanwhile cannot make it fail half way (it waits, up to the
   * connection's busy timeout, instead).
   */
  write<T>(fn: (now: string) => { result: T; history?: Omit<HistoryEntry, 'id' | 'at'> | Omit<HistoryEntry, 'id' | 'at'>[] }): T {
    const now = this.clock().toISOString();
    const result = this.db.transaction(() => {
      const out = fn(now);
      const entries = out.history === undefined ? [] : Array.isArray(out.history) ? out.history : [out.history];
      for (const h of entries) this.history.add({ ...h, at: now });
      judgeInventory(this);
      return out.result;
    }).immediate();
    this.notify();
    return result;
  }

  /** Calls fn after every change, including those committed by another process (the CLI) sharing the file. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Checks (one PRAGMA, at most every POLL_MS) for changes committed by other connections, such as the CLI's,
   * and notifies listeners if there were any. Throttled: on the phone path the PRAGMA would cost more than the rest.
   */
  pollExternalChanges(): void {
    const now = Date.now();
    if (now - this.lastPollAt < POLL_MS) return;
    this.lastPollAt = now;
    const v = this.dataVersion.get() as number;
    if (v !== this.lastDataVersion) {
      const first = this.lastDataVersion === -1;
      this.lastDataVersion = v;
      if (!first) this.notify();
    }
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }

  close(): void {
    this.db.close();
  }
}
