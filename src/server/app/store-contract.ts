// The store contract: what the use cases may ask of a store, whichever engine keeps it — the embedded SQLite file
// (infra/db/, one server) or PostgreSQL (infra/pg/, a pool of servers). Async because PostgreSQL is; one contract
// test suite (test/store-contract/) runs against both. Records are plain data; SQL stays inside the engines.
import type { DeviceSort, DeviceState, DeviceLogDto } from '../../shared/inventory-api.js';
import type { HistoryDto, PackageDto, TestDeviceDto } from '../../shared/admin-api.js';
import type { Settings } from '../../shared/settings.js';
import type { Version } from '../../shared/version.js';
import type { RuleKey, UpdateRule } from '../domain/device.js';
import type { Blocker, DeviceRecord } from '../domain/device-state.js';

// ---- records -------------------------------------------------------------------------------------------------

export interface RuleRecord extends UpdateRule {
  updatedAt: string;
  /** Every version whose image the store holds, newest first. */
  versions: Version[];
}

/** Packages are reported to admins exactly as stored. */
export type PackageRecord = PackageDto;

export interface StoreFile {
  pathKey: string;
  relPath: string;
  sha256: string;
  size: number;
  timestamp: string;
  packageId: number;
}

export type TestDevice = TestDeviceDto;
export type HistoryEntry = HistoryDto;
export type AdminRole = 'admin' | 'viewer';

export interface AdminAccount {
  username: string;
  passwordHash: string;
  role: AdminRole;
  createdAt: string;
}

export interface SessionRecord {
  username: string;
  role: AdminRole;
  csrf: string;
  expiresAt: string;
}

export interface DeviceLogRecord extends DeviceLogDto {
  mac: string;
  serial: string;
  relPath: string;
  address: string;
}

/** A record as listed: with its id and the downloads from its address it shares with other phones offered its image. */
export type StoredDevice = DeviceRecord & { id: number; sharedDownloads: number | null; sharedLastAt: string | null; sharedPhones: number | null };

/** A situation the rules judge alike (app/inventory-judge.ts): the decision's input as a row keeps it. */
export interface DeviceSituation {
  deviceType: string;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  modules: string;
  /** 1 when the phone is a test device (by MAC or serial), else 0. */
  test: number;
}

export interface DeviceFilter {
  state?: DeviceState;
  model?: string;
  version?: string;
  locale?: string;
  /** Prefix of the MAC, serial number, last user or model. */
  q?: string;
}

export interface StateCutoffs {
  stuckBefore: string;
  silentBefore: string;
}

/** A record as it was read (absent for a new phone) and as it is to be written. */
export interface DeviceChange {
  before: DeviceRecord | undefined;
  after: DeviceRecord;
}

/** Since when the inventory is full, and the phones evicted and not recorded since (inventory_overflow). */
export interface InventoryOverflow {
  since: string;
  evicted: number;
  refused: number;
}

export type RolloutPart = 'onApproved' | 'blocked' | 'behind' | 'offered' | 'downloaded' | 'stuck' | 'silent' | 'other';

// ---- repositories --------------------------------------------------------------------------------------------

export interface RulesRepo {
  list(): Promise<RuleRecord[]>;
  get(id: number): Promise<RuleRecord | undefined>;
  findByKey(key: RuleKey): Promise<RuleRecord | undefined>;
  /** The rule's id, created (no versions) if it is new. */
  ensure(key: RuleKey, now: string): Promise<number>;
  setVersions(id: number, v: Pick<UpdateRule, 'approved' | 'pending' | 'restore'>, now: string): Promise<void>;
  imagesOfPackage(packageId: number): Promise<{ ruleId: number; version: Version }[]>;
  /** False when the rule already had an image of that version. */
  addImage(ruleId: number, version: Version, packageId: number): Promise<boolean>;
}

export interface PackagesRepo {
  list(): Promise<PackageRecord[]>;
  findBySha(sha256: string): Promise<PackageRecord | undefined>;
  insert(p: Omit<PackageRecord, 'id' | 'fileCount'>): Promise<number>;
  getStoreFile(pathKey: string): Promise<StoreFile | undefined>;
  allStoreFiles(): Promise<StoreFile[]>;
  /** Adds a file to the store (or links an identical one already there) and to the package's file list. */
  addStoreFile(f: StoreFile): Promise<void>;
  referencedBlobs(): Promise<Set<string>>;
  /** What removing these packages frees: files no other package holds, and the bytes of blobs nothing else uses. */
  removalImpact(ids: readonly number[]): Promise<{ files: number; bytes: number }>;
  /** Removes packages with the files only they held and the rule images left without files (shared files are handed
   * over). Callers check first that no rule or interim image still uses them. */
  remove(ids: readonly number[]): Promise<void>;
  setInterim(locale: string, version: Version, packageId: number): Promise<void>;
  /** The files served for each interim image (those below OCInterim/<Locale>/), by locale then name. */
  interimFiles(): Promise<{ locale: string; fileName: string; size: number; sha256: string }[]>;
  listInterim(): Promise<{ locale: string; version: Version; packageId: number }[]>;
}

export interface TestDevicesRepo {
  list(): Promise<TestDevice[]>;
  get(id: number): Promise<TestDevice | undefined>;
  findConflict(mac: string | null, serial: string | null, exceptId?: number): Promise<TestDevice | undefined>;
  add(d: { name: string; mac: string | null; serial: string | null }, now: string): Promise<number>;
  update(id: number, d: { name: string; mac: string | null; serial: string | null }): Promise<void>;
  remove(id: number): Promise<boolean>;
}

export interface SettingsRepo {
  read(): Promise<Settings>;
  write(values: Partial<Settings>): Promise<void>;
}

export interface HistoryRepo {
  add(e: Omit<HistoryEntry, 'id'>): Promise<void>;
  list(limit: number, beforeId?: number): Promise<HistoryEntry[]>;
}

export interface AdminsRepo {
  list(): Promise<Omit<AdminAccount, 'passwordHash'>[]>;
  get(username: string): Promise<AdminAccount | undefined>;
  upsert(a: AdminAccount): Promise<void>;
  /** Stores a rehash of the same password, unless the password was changed meanwhile (sessions stay). */
  replacePasswordHash(username: string, oldHash: string, newHash: string): Promise<void>;
  removeSessionsOf(username: string): Promise<void>;
  remove(username: string): Promise<boolean>;
  addSession(tokenHash: string, username: string, csrf: string, createdAt: string, expiresAt: string): Promise<void>;
  findSession(tokenHash: string, now: string): Promise<SessionRecord | undefined>;
  removeSession(tokenHash: string): Promise<void>;
  removeExpiredSessions(now: string): Promise<void>;
}

/**
 * Sign-in attempts by key (`address <ip>` or `account <name>`), kept in the store so that every server of a pool counts
 * the same ones (app/sign-in-throttle.ts). Times are milliseconds since the epoch.
 */
export interface SignInAttemptsRepo {
  /** The times of the key's attempts after `since`, oldest first. */
  recent(key: string, since: number): Promise<number[]>;
  /** Records one attempt of the key at `at`; returns its id. */
  add(key: string, at: number): Promise<number>;
  remove(id: number): Promise<void>;
  removeKey(key: string): Promise<void>;
  /** Forgets the attempts at or before `before`, and those older than the latest `keep` (in the order added). */
  prune(before: number, keep: number): Promise<void>;
}

export interface DeviceLogsRepo {
  add(r: Omit<DeviceLogRecord, 'id'>): Promise<number>;
  listFor(mac: string, serial: string): Promise<DeviceLogRecord[]>;
  get(id: number): Promise<DeviceLogRecord | undefined>;
  bytesOf(mac: string, serial: string): Promise<number>;
  totalBytes(): Promise<number>;
  receivedBefore(iso: string): Promise<DeviceLogRecord[]>;
  remove(ids: readonly number[]): Promise<void>;
  removePaths(relPaths: readonly string[]): Promise<void>;
}

/** The device inventory. Its rows are written by the phone path's recorder in batches, not through Store.write. */
export interface DevicesRepo {
  /** Batches and judgings written through this repo's connection: what was read before a change is stale once it moves. */
  readonly batches: number;
  /** The key of the decision inputs the stored due offers were judged on (undefined: never judged). */
  judgedInputs(): Promise<string | undefined>;
  setJudgedInputs(key: string): Promise<void>;
  /** The distinct situations of the phones (of `only`, identities, if given) whose modules are known. */
  situations(only?: readonly string[]): Promise<DeviceSituation[]>;
  /** Makes `due` (null: nothing) the due offer of the situation's phones (of `only`, if given), their phase
   * following (domain/device-state.ts phaseOf); returns how many changed. Phones already due that offer are untouched. */
  setDue(s: DeviceSituation, due: { version: string; folder: string } | { blocker: Blocker | null }, only?: readonly string[]): Promise<number>;
  /** A download of `folder` from `address` that several phones offered it there could have made: counted for them all. */
  countSharedDownload(address: string, folder: string, at: string): Promise<void>;
  /** Phones in the inventory (the cap is checked at every flush: engines may keep it in memory between changes). */
  count(): Promise<number>;
  /** Evicts up to `limit` phones seen once (domain/inventory-cap.ts evictable()) and last seen before `before`, none
   * of `keep` (identities), oldest first; returns how many went. */
  evict(before: string, limit: number, keep: readonly string[]): Promise<number>;
  /** Counts phones evicted and new phones not recorded because the inventory is full (from `at` on, if it was not). */
  countOverflow(at: string, evicted: number, refused: number): Promise<void>;
  /** The inventory is not full (any more): the counts start again when it next is. */
  clearOverflow(): Promise<void>;
  overflow(): Promise<InventoryOverflow | undefined>;
  /** Writes these changes (only the columns that changed; the phase and its start follow), then adds `seenDays`
   * (UTC day -> phones first seen on it) to the distinct phones per day, keeping about 400 days. */
  write(changes: Iterable<DeviceChange>, seenDays?: ReadonlyMap<string, number>): Promise<void>;
  /** The stored records of these phones, by identity (one statement). */
  findAll(identities: readonly string[]): Promise<Map<string, DeviceRecord & { id: number }>>;
  /** Up to `limit` phones at `address` offered the image folder `folder` (lower-cased) that have not downloaded it,
   * first offered first. */
  awaitingDownload(address: string, folder: string, limit: number): Promise<DeviceRecord[]>;
  get(id: number): Promise<StoredDevice | undefined>;
  /** Whether the inventory has this phone, by its MAC or its serial number (log uploads come only from known phones). */
  knows(mac: string, serial: string): Promise<boolean>;
  list(f: DeviceFilter, cutoffs: StateCutoffs, sort: DeviceSort, order: 'asc' | 'desc', limit: number, offset: number): Promise<StoredDevice[]>;
  /** Every matching phone in pages of `size`, each read after the last row of the one before (keyset, not OFFSET). */
  pages(f: DeviceFilter, cutoffs: StateCutoffs, sort: DeviceSort, order: 'asc' | 'desc', size: number): AsyncIterable<StoredDevice[]>;
  /** Devices per state among those matching the filter (its state ignored). */
  countByState(f: Omit<DeviceFilter, 'state'>, cutoffs: StateCutoffs): Promise<Record<DeviceState, number>>;
  /** Devices of a rule's model and locale (device type, vendor, model, revision, locale; case-insensitive). */
  countForRule(k: Omit<RuleKey, 'updateType'>): Promise<number>;
  /** A rule's phones, partitioned: on the approved version, else by state. */
  rollout(k: Omit<RuleKey, 'updateType'>, approved: string, cutoffs: StateCutoffs): Promise<Record<'eligible' | RolloutPart, number>>;
  /** Phones per model and installed version, most first. */
  versionsPerModel(): Promise<{ model: string; version: string; phones: number }[]>;
  /** Phones per device type, locale (upper case) and installed version. */
  phonesByLocaleAndVersion(): Promise<{ deviceType: string; locale: string; version: string; phones: number }[]>;
  /** Distinct phones seen per UTC day (yyyy-MM-dd) from `fromDay` on; days without any are absent. */
  seenDays(fromDay: string): Promise<Map<string, number>>;
  /** Devices of these models (case-insensitive), whatever their state. */
  countOfModels(models: readonly string[]): Promise<number>;
  /** When the inventory last saw a phone (undefined while it is empty). */
  latestSeen(): Promise<string | undefined>;
}

/** The repositories, bound either to autocommit reads or to one transaction. */
export interface Repos {
  rules: RulesRepo;
  packages: PackagesRepo;
  testDevices: TestDevicesRepo;
  settings: SettingsRepo;
  history: HistoryRepo;
  admins: AdminsRepo;
  signInAttempts: SignInAttemptsRepo;
  devices: DevicesRepo;
  deviceLogs: DeviceLogsRepo;
}

/**
 * Image blobs by SHA-256. Phones are always served from a local file: the embedded engine's blob folder, or a pool
 * node's verified cache of the pool's blobs.
 */
export interface BlobStore {
  /** Where the blob's local file is (or will be once local()). */
  pathOf(sha256: string): string;
  /** The blob's local file, fetched from the pool and verified first if this node lacks it. */
  local(sha256: string): Promise<string>;
  /**
   * Moves srcPath into the store (or drops it when the store already has that content). `hashed`: its SHA-256 and
   * size when the caller computed them as it wrote the file (an import unpacking a cab), so that it is not read again.
   */
  put(srcPath: string, hashed?: { sha256: string; size: number }): Promise<{ sha256: string; size: number }>;
  /** Removes blobs not in `referenced` older than minAgeMs (younger ones may belong to a running import). */
  collectGarbage(referenced: ReadonlySet<string>, minAgeMs: number): Promise<number>;
}

export interface TxOptions {
  /** Wait for another writer's lock (admin changes). Without it a busy store fails at once with StoreBusy, and the
   * caller tries later. 'unless-blocking' (the phone path's flushes): wait where waiting leaves this process's event
   * loop free (a pool: other nodes flush all the time), fail at once where it would hold it (SQLite's busy wait). */
  wait?: boolean | 'unless-blocking';
  /** Let the other processes and nodes know of this change, if and only if it commits (a pool: NOTIFY inside the
   * transaction; SQLite: its commit alone moves the others' data_version). */
  announce?: boolean;
  /** false: the commit may be lost to a power cut or a crash of the machine (never to a crash of this process), the
   * store staying consistent; it then holds no one up waiting for the disk (SQLite: synchronous NORMAL, no fsync;
   * PostgreSQL: synchronous_commit off). For what is observed again anyway (the inventory's intake). Default true. */
  durable?: boolean;
}

/** One engine: the repositories, transactions, and the signal that another process or node changed the store. */
export interface StoreEngine {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, for messages (a file, or a URL without its password). */
  readonly location: string;
  readonly repos: Repos;
  readonly blobs: BlobStore;
  /** Runs fn in one transaction (writes: the write lock first), committed when it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Repos) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** Calls fn when another connection (the CLI, another node) has committed a change; returns the unsubscribe. */
  onExternalChange(fn: () => void): () => void;
  /** A server's start: the store readable and writable, or one sentence on what to do. */
  check(): Promise<void>;
  /** Resolves when the store answers now (cheap: for the status line); StoreUnavailable when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by a transaction without `wait` while another writer holds the lock. */
export class StoreBusy extends Error {
  readonly code = 'STORE_BUSY';
}

/** Thrown when the pool's database cannot be reached: the sentence says so (admin changes are refused with it). */
export class StoreUnavailable extends Error {
  readonly code = 'STORE_UNAVAILABLE';
}
