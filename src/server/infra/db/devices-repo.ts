// SQL for the device inventory: one row per phone, written in batches by the inventory recorder, judged again by
// groups when the rules change (app/inventory-judge.ts), queried by the admin API. Every filter, search and sort
// below is served by an index of migration 6 (first made by 2 and 5).
import type { DeviceSort, DeviceState } from '../../../shared/inventory-api.js';
import { phaseOf, phaseSince, type Blocker, type DeviceRecord, type DevicePhase } from '../../domain/device-state.js';
import type { RuleKey } from '../../domain/device.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.js';
import { COLUMNS, FIELDS, ROLLOUT_PARTS, SORT_FIELDS, STATE_SQL } from '../store-rows.js';
import type { DeviceChange, DeviceFilter, DeviceSituation, DevicesRepo, InventoryOverflow, RolloutPart, StateCutoffs, StoredDevice } from '../../app/store-contract.js';





const SELECT = `SELECT id, ${FIELDS.map((f) => `${COLUMNS[f]} AS ${f}`).join(', ')} FROM devices`;

/** Downloads of an offered phone's image from its address since it was offered, not attributed (shared_downloads). */
const SHARED = `FROM shared_downloads s WHERE devices.phase = 'offered' AND s.address = devices.address
  AND s.folder = devices.offered_folder AND s.last_at >= devices.offered_at`;
/** As SELECT, with the shared downloads and the phones they are shared by (offered that image there, not downloaded). */
const LISTED = `SELECT id, ${FIELDS.map((f) => `${COLUMNS[f]} AS ${f}`).join(', ')},
  (SELECT s.downloads ${SHARED}) AS sharedDownloads, (SELECT s.last_at ${SHARED}) AS sharedLastAt,
  CASE WHEN EXISTS (SELECT 1 ${SHARED}) THEN (SELECT count(*) FROM devices o WHERE o.phase = 'offered' AND o.address = devices.address
    AND o.offered_folder = devices.offered_folder) END AS sharedPhones
  FROM devices`;

/** A test device, by MAC or serial (as the phone path's matchTestDevice: case-insensitive, blanks never match). */
// Two lookups, not one EXISTS with OR: each is served by its test_devices index (an OR scans the table per phone).
const IS_TEST = `((devices.mac != '' AND EXISTS (SELECT 1 FROM test_devices t WHERE t.mac = devices.mac))
  OR (devices.serial != '' AND EXISTS (SELECT 1 FROM test_devices t WHERE t.serial = devices.serial)))`;

/**
 * The phase and its start once @dueVersion/@dueFolder are due (the other columns as stored): domain/device-state.ts
 * phaseOf() and phaseSince() word for word, so that a group of phones is judged again in one UPDATE.
 */
const PHASE = `CASE WHEN @dueVersion IS NULL THEN (CASE WHEN @dueBlocker IS NOT NULL THEN 'blocked' WHEN offered_version IS NOT NULL AND version = offered_version THEN 'updated' ELSE 'current' END)
  WHEN offered_version = @dueVersion AND offered_folder = @dueFolder THEN (CASE WHEN downloaded_at IS NOT NULL THEN 'downloaded' ELSE 'offered' END)
  ELSE 'behind' END`;
const PHASE_SINCE = `CASE WHEN @dueVersion IS NULL THEN (CASE WHEN @dueBlocker IS NOT NULL THEN NULL WHEN offered_version IS NOT NULL AND version = offered_version THEN updated_at END)
  WHEN offered_version = @dueVersion AND offered_folder = @dueFolder THEN coalesce(downloaded_at, offered_at) END`;

/** The phones of a situation (NOCASE columns: as the decision compares them) whose due offer is not @dueVersion/@dueFolder. */
const SITUATION = `device_type = @deviceType AND vendor = @vendor AND model = @model AND revision = @revision AND locale = @locale
  AND modules = @modules AND ${IS_TEST} = @test AND (due_version IS NOT @dueVersion OR due_folder IS NOT @dueFolder OR due_blocker IS NOT @dueBlocker)`;
const ONLY = 'identity IN (SELECT value FROM json_each(@only))';
const INSERT = `INSERT INTO devices (${FIELDS.map((f) => COLUMNS[f]).join(', ')}, phase, phase_since)
  VALUES (${FIELDS.map(() => '?').join(', ')}, ?, ?)`;


/** Days of seen_days kept, counted back from the newest (the dashboard shows 30; a year to compare with). */
const SEEN_DAYS_KEPT = 400;

/**
 * Phones that may be evicted to make room (domain/inventory-cap.ts evictable()): seen once (the partial index
 * devices_once of migration 5, its WHERE word for word), last seen before @before, not a test device, and not
 * among the batch's own phones (@keep: they are checking in now), oldest first. INDEXED BY: an error rather than a
 * scan of the whole inventory on the phone path if the index could not serve it.
 */
const EVICT = `DELETE FROM devices WHERE id IN (
  SELECT id FROM devices INDEXED BY devices_once
  WHERE downloaded_at IS NULL AND updated_at IS NULL AND last_seen < strftime('%Y-%m-%dT%H:%M:%fZ', first_seen, '+1 hour')
    AND last_seen < @before
    AND NOT EXISTS (SELECT 1 FROM test_devices t WHERE (devices.mac != '' AND devices.mac = t.mac) OR (devices.serial != '' AND devices.serial = t.serial))
    AND identity NOT IN (SELECT value FROM json_each(@keep))
  ORDER BY last_seen LIMIT @limit)`;


/** Phones of a rule's model and locale (every field of its key but the update type; case-insensitive columns). */
const RULE_PHONES = 'model = @model AND locale = @locale AND vendor = @vendor AND device_type = @deviceType AND revision = @revision';




/** The phases PHASE may give (the stored column's CHECK). */
export const PHASES: readonly DevicePhase[] = ['current', 'blocked', 'behind', 'offered', 'downloaded', 'updated'];

export class SqliteDevicesRepo implements DevicesRepo {
  private readonly byIdentities;
  private readonly offered;
  private readonly insert;
  /** UPDATE statements by the columns they set. */
  private readonly updates = new Map<string, Statement>();

  private readonly countSeen;
  private readonly pruneSeen;
  private readonly evictSeenOnce;
  private readonly countAll;
  private readonly dataVersion;
  private readonly addOverflow;
  private readonly readOverflow;
  private readonly endOverflow;
  private readonly findKnown;
  private readonly readJudged;
  private readonly writeJudged;
  private readonly situationsAll;
  private readonly situationsOf;
  private readonly dueAll;
  private readonly dueOf;
  private readonly addShared;

  #batches = 0;
  /** Rows in devices, as counted at #countVersion and kept since by this connection's inserts and evictions. */
  #count: number | undefined;
  #countVersion = -1;

  /** Batches (and judgings) written through this connection: what was read before a change is stale once it moves. */
  get batches(): number {
    return this.#batches;
  }

  constructor(private readonly db: Db) {
    this.byIdentities = db.prepare(`${SELECT} WHERE identity IN (SELECT value FROM json_each(?))`);
    this.offered = db.prepare(`${SELECT} WHERE address = ? AND offered_folder = ? AND phase = 'offered' ORDER BY offered_at LIMIT ?`);
    this.insert = db.prepare(INSERT);
    this.countSeen = db.prepare('INSERT INTO seen_days (day, phones) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET phones = phones + excluded.phones');
    this.pruneSeen = db.prepare(`DELETE FROM seen_days WHERE day < date((SELECT max(day) FROM seen_days), '-${SEEN_DAYS_KEPT} days')`);
    this.evictSeenOnce = db.prepare(EVICT);
    this.countAll = db.prepare('SELECT count(*) FROM devices').pluck();
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.addOverflow = db.prepare(`INSERT INTO inventory_overflow (id, since, evicted, refused) VALUES (1, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET evicted = evicted + excluded.evicted, refused = refused + excluded.refused`);
    this.readOverflow = db.prepare('SELECT since, evicted, refused FROM inventory_overflow');
    this.endOverflow = db.prepare('DELETE FROM inventory_overflow');
    this.findKnown = db.prepare(`SELECT 1 FROM devices WHERE identity = ? OR (serial = ? AND ? != '') LIMIT 1`);
    this.readJudged = db.prepare('SELECT inputs FROM inventory_judged').pluck();
    this.writeJudged = db.prepare('INSERT INTO inventory_judged (id, inputs) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET inputs = excluded.inputs');
    const situations = `SELECT DISTINCT device_type AS deviceType, vendor, model, revision, locale, modules, ${IS_TEST} AS test FROM devices WHERE modules IS NOT NULL`;
    this.situationsAll = db.prepare(situations);
    this.situationsOf = db.prepare(`${situations} AND ${ONLY}`);
    const due = `UPDATE devices SET due_version = @dueVersion, due_folder = @dueFolder, due_blocker = @dueBlocker, phase = ${PHASE}, phase_since = ${PHASE_SINCE} WHERE ${SITUATION}`;
    this.dueAll = db.prepare(due);
    this.dueOf = db.prepare(`${due} AND ${ONLY}`);
    this.addShared = db.prepare(`INSERT INTO shared_downloads (address, folder, downloads, last_at) VALUES (?, ?, 1, ?)
      ON CONFLICT (address, folder) DO UPDATE SET downloads = downloads + 1, last_at = excluded.last_at`);
  }

  /** The key of the decision inputs the stored due offers were judged on (undefined: never judged). */
  async judgedInputs(): Promise<string | undefined> {
    return (this.readJudged.get() as string | undefined) ?? undefined;
  }

  async setJudgedInputs(key: string): Promise<void> {
    this.writeJudged.run(key);
  }

  /** The distinct situations of the phones (of `only`, identities, if given) whose modules are known. */
  async situations(only?: readonly string[]): Promise<DeviceSituation[]> {
    return (only ? this.situationsOf.all({ only: JSON.stringify(only) }) : this.situationsAll.all()) as DeviceSituation[];
  }

  /** Makes `due` (null: nothing) the due offer of the situation's phones (of `only`, if given), their phase following;
   * returns how many changed. Phones already due that offer are not written. */
  async setDue(s: DeviceSituation, due: { version: string; folder: string } | { blocker: Blocker | null }, only?: readonly string[]): Promise<number> {
    const offer = 'version' in due ? due : null;
    const params = { ...s, dueVersion: offer?.version ?? null, dueFolder: offer?.folder ?? null, dueBlocker: 'blocker' in due ? due.blocker : null };
    const changed = (only ? this.dueOf.run({ ...params, only: JSON.stringify(only) }) : this.dueAll.run(params)).changes;
    if (changed > 0) this.#batches++;
    return changed;
  }

  /** A download of `folder` from `address` that several phones offered it there could have made: counted for them all. */
  async countSharedDownload(address: string, folder: string, at: string): Promise<void> {
    this.addShared.run(address, folder, at);
  }

  /**
   * Phones in the inventory: one COUNT, then kept in memory through this connection's inserts and evictions (the cap
   * is checked at every flush); counted again once another connection (the CLI's audit import) has committed.
   */
  async count(): Promise<number> {
    const version = this.dataVersion.get() as number;
    if (this.#count === undefined || version !== this.#countVersion) {
      this.#count = this.countAll.get() as number;
      this.#countVersion = version;
    }
    return this.#count;
  }

  /**
   * Evicts up to `limit` phones seen once and last seen before `before` (see EVICT), but none of `keep` (identities);
   * returns how many went. Inside batch()'s fn, before its changes are written.
   */
  async evict(before: string, limit: number, keep: readonly string[]): Promise<number> {
    const gone = this.evictSeenOnce.run({ before, limit, keep: JSON.stringify(keep) }).changes;
    if (this.#count !== undefined) this.#count -= gone;
    return gone;
  }

  /** Counts phones evicted and new phones not recorded because the inventory is full (from `at` on, if it was not). */
  async countOverflow(at: string, evicted: number, refused: number): Promise<void> {
    this.addOverflow.run(at, evicted, refused);
  }

  /** The inventory is not full (any more): the counts start again when it next is. */
  async clearOverflow(): Promise<void> {
    this.endOverflow.run();
  }

  async overflow(): Promise<InventoryOverflow | undefined> {
    return this.readOverflow.get() as InventoryOverflow | undefined;
  }

  async write(changes: Iterable<DeviceChange>, seenDays?: ReadonlyMap<string, number>): Promise<void> {
    for (const c of changes) this.writeOne(c);
    for (const [day, phones] of seenDays ?? []) this.countSeen.run(day, phones);
    if (seenDays?.size) this.pruneSeen.run();
    this.#batches++;
  }

  /** The transaction this repo wrote in was rolled back: the inserts and evictions counted did not happen. */
  rolledBack(): void {
    this.#count = undefined;
  }

  // Only the columns that changed are set: SQLite rewrites the index entries of every column set, changed or not,
  // and most checks change nothing but last_seen. Positional parameters: no per-row object to build.
  private writeOne({ before, after }: DeviceChange): void {
    const phase = phaseOf(after);
    const since = phaseSince(after);
    if (!before) {
      this.insert.run(...FIELDS.map((f) => after[f]), phase, since);
      if (this.#count !== undefined) this.#count++;
      return;
    }
    const changed = FIELDS.filter((f) => before[f] !== after[f]);
    const columns = changed.map((f) => COLUMNS[f]);
    const values: (string | null)[] = changed.map((f) => after[f]);
    if (phaseOf(before) !== phase || phaseSince(before) !== since) {
      columns.push('phase', 'phase_since');
      values.push(phase, since);
    }
    if (columns.length === 0) return;
    const key = columns.join();
    let update = this.updates.get(key);
    if (!update) this.updates.set(key, (update = this.db.prepare(`UPDATE devices SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE identity = ?`)));
    update.run(...values, after.identity);
  }

  /** The stored records of these phones, by identity: one statement (a batch's worth of single lookups costs 3x). */
  async findAll(identities: readonly string[]): Promise<Map<string, DeviceRecord & { id: number }>> {
    const rows = this.byIdentities.all(JSON.stringify(identities)) as (DeviceRecord & { id: number })[];
    return new Map(rows.map((r) => [r.identity, r]));
  }

  async awaitingDownload(address: string, folder: string, limit: number): Promise<DeviceRecord[]> {
    return this.offered.all(address, folder, limit) as DeviceRecord[];
  }

  async get(id: number): Promise<StoredDevice | undefined> {
    return this.db.prepare(`${LISTED} WHERE id = ?`).get(id) as StoredDevice | undefined;
  }

  /** Whether the inventory has this phone, by its MAC or its serial number (log uploads come only from known phones). */
  async knows(mac: string, serial: string): Promise<boolean> {
    return this.findKnown.get(`mac:${mac}`, serial, serial) !== undefined;
  }

  async list(f: DeviceFilter, cutoffs: StateCutoffs, sort: DeviceSort, order: 'asc' | 'desc', limit: number, offset: number): Promise<StoredDevice[]> {
    const { where, params } = conditions(f, cutoffs);
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    return this.db
      .prepare(`${LISTED} ${where} ORDER BY ${COLUMNS[SORT_FIELDS[sort]]} ${dir}, id ${dir} LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit, offset }) as StoredDevice[];
  }

  /**
   * Every device list() would give, in its order, a page at a time. Each page starts after the last row of the one
   * before (keyset), so none re-reads the rows before it as OFFSET would; no statement stays open between pages.
   */
  async *pages(f: DeviceFilter, cutoffs: StateCutoffs, sort: DeviceSort, order: 'asc' | 'desc', size: number): AsyncGenerator<StoredDevice[]> {
    const { where, params } = conditions(f, cutoffs);
    const field = SORT_FIELDS[sort];
    const column = COLUMNS[field];
    const [dir, after] = order === 'asc' ? ['ASC', '>'] : ['DESC', '<'];
    const sql = (keyset: boolean) => {
      const cond = keyset ? `(${column}, id) ${after} (@lastValue, @lastId)` : '';
      const all = where && cond ? `${where} AND ${cond}` : where || (cond && `WHERE ${cond}`);
      return this.db.prepare(`${LISTED} ${all} ORDER BY ${column} ${dir}, id ${dir} LIMIT @size`);
    };
    let page = sql(false).all({ ...params, size }) as StoredDevice[];
    const next = sql(true);
    while (page.length > 0) {
      yield page;
      const last = page.at(-1)!;
      page = page.length < size ? [] : (next.all({ ...params, size, lastValue: last[field], lastId: last.id }) as StoredDevice[]);
    }
  }

  /** Devices per state among those matching the filter (its state ignored). */
  async countByState(f: Omit<DeviceFilter, 'state'>, cutoffs: StateCutoffs): Promise<Record<DeviceState, number>> {
    const { where, params } = conditions(f, cutoffs);
    const states = Object.keys(STATE_SQL) as DeviceState[];
    const sums = states.map((s, i) => `coalesce(sum(${STATE_SQL[s]}), 0) AS s${i}`).join(', ');
    const row = this.db.prepare(`SELECT ${sums} FROM devices ${where}`).get({ ...cutoffs, ...params }) as Record<string, number>;
    return Object.fromEntries(states.map((s, i) => [s, row[`s${i}`]!])) as Record<DeviceState, number>;
  }

  /** Devices of a rule's model and locale (device type, vendor, model, revision, locale; case-insensitive). */
  async countForRule(k: Omit<RuleKey, 'updateType'>): Promise<number> {
    const { model, locale, vendor, deviceType, revision } = k;
    return this.db.prepare(`SELECT count(*) FROM devices WHERE ${RULE_PHONES}`).pluck().get({ model, locale, vendor, deviceType, revision }) as number;
  }

  /**
   * A rule's phones (as countForRule) as a partition: those on the `approved` version (whatever their state), then the
   * others by state (ROLLOUT_PARTS); each phone in exactly one part, so the parts sum to eligible.
   */
  async rollout(k: Omit<RuleKey, 'updateType'>, approved: string, cutoffs: StateCutoffs): Promise<Record<'eligible' | RolloutPart, number>> {
    const { model, locale, vendor, deviceType, revision } = k;
    const parts = Object.entries(ROLLOUT_PARTS).map(([part, cond]) => `coalesce(sum(${cond}), 0) AS ${part}`).join(', ');
    return this.db
      .prepare(`SELECT count(*) AS eligible, ${parts} FROM devices WHERE ${RULE_PHONES}`)
      .get({ model, locale, vendor, deviceType, revision, approved, ...cutoffs }) as ReturnType<DevicesRepo['rollout']>;
  }

  /** Phones per model and installed version, most first. */
  async versionsPerModel(): Promise<{ model: string; version: string; phones: number }[]> {
    return this.db.prepare('SELECT model, version, count(*) AS phones FROM devices GROUP BY model, version ORDER BY phones DESC, model, version').all() as {
      model: string;
      version: string;
      phones: number;
    }[];
  }

  /** Phones per device type, locale (upper case) and installed version: the interim overview judges each version. */
  async phonesByLocaleAndVersion(): Promise<{ deviceType: string; locale: string; version: string; phones: number }[]> {
    return this.db
      .prepare('SELECT device_type AS deviceType, upper(locale) AS locale, version, count(*) AS phones FROM devices GROUP BY device_type, locale, version')
      .all() as { deviceType: string; locale: string; version: string; phones: number }[];
  }

  /** Distinct phones seen per UTC day (yyyy-MM-dd) from `fromDay` on; days without any are absent. */
  async seenDays(fromDay: string): Promise<Map<string, number>> {
    const rows = this.db.prepare('SELECT day, phones FROM seen_days WHERE day >= ?').all(fromDay) as { day: string; phones: number }[];
    return new Map(rows.map((r) => [r.day, r.phones]));
  }

  /** Devices of these models (case-insensitive), whatever their state. */
  async countOfModels(models: readonly string[]): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM devices WHERE model IN (SELECT value FROM json_each(?))').pluck().get(JSON.stringify(models)) as number;
  }

  /** When the inventory last saw a phone (undefined while it is empty). */
  async latestSeen(): Promise<string | undefined> {
    return (this.db.prepare('SELECT max(last_seen) FROM devices').pluck().get() as string | null) ?? undefined;
  }
}

function conditions(f: DeviceFilter, cutoffs: StateCutoffs): { where: string; params: Record<string, string> } {
  const parts: string[] = [];
  const params: Record<string, string> = {};
  if (f.state) {
    parts.push(STATE_SQL[f.state]);
    Object.assign(params, cutoffs);
  }
  for (const key of ['model', 'version', 'locale'] as const) {
    if (f[key] === undefined) continue;
    parts.push(`${key} = @${key}`);
    params[key] = f[key];
  }
  if (f.q) {
    // Prefix searches (LIKE 'x%' on NOCASE columns) use the indexes; a MAC is searched without its separators.
    const like = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const hex = f.q.replace(/[-:.\s]/g, '');
    params.q = like(f.q);
    params.qMac = like(/^[0-9a-f]+$/i.test(hex) ? hex : f.q);
    parts.push(`(mac LIKE @qMac ESCAPE '\\' OR serial LIKE @q ESCAPE '\\' OR user_name LIKE @q ESCAPE '\\' OR model LIKE @q ESCAPE '\\')`);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}
