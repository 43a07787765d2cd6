// The device inventory on PostgreSQL (tables of pg/inventory-schema.ts): the SQLite repo's semantics
// (infra/db/devices-repo.ts), statement for statement, with SQLite's NOCASE columns compared, grouped and sorted as
// lower() (COLLATE "C" columns: bytewise, as SQLite). A flush's writes go in one statement (new rows and changed
// columns as arrays), so a batch of thousands of phones costs one round trip. Several nodes write the same rows: an
// update sets only the columns its check or download changed, a new phone another node inserted meanwhile is merged
// (ON_CONFLICT), and the inventory is counted each time rather than kept in memory.
import pg from 'pg';
import type { DeviceSort, DeviceState } from '../../../shared/inventory-api.js';
import { phaseOf, phaseSince, type Blocker, type DeviceRecord } from '../../domain/device-state.js';
import type { RuleKey } from '../../domain/device.js';
import type {
  DeviceChange,
  DeviceFilter,
  DeviceSituation,
  DevicesRepo,
  InventoryOverflow,
  RolloutPart,
  StateCutoffs,
  StoredDevice,
} from '../../app/store-contract.js';
import type { Queryable } from './connection.js';
import { COLUMNS, FIELDS, ROLLOUT_PARTS, SORT_FIELDS, STATE_SQL } from '../store-rows.js';

/** SQLite's COLLATE NOCASE columns: compared, grouped and sorted as lower(). */
const NOCASE = new Set<keyof DeviceRecord>(['mac', 'serial', 'deviceType', 'vendor', 'model', 'revision', 'locale', 'userName']);
const RECORD = FIELDS.map((f) => `${COLUMNS[f]} AS "${f}"`).join(', ');
const SELECT = `SELECT id, ${RECORD} FROM devices`;

/** Downloads of an offered phone's image from its address since it was offered, not attributed (shared_downloads). */
const SHARED = `FROM shared_downloads s WHERE devices.phase = 'offered' AND s.address = devices.address
  AND s.folder = devices.offered_folder AND s.last_at >= devices.offered_at`;
/** As SELECT, with the shared downloads and the phones they are shared by (offered that image there, not downloaded). */
const LISTED = `SELECT id, ${RECORD},
  (SELECT s.downloads ${SHARED}) AS "sharedDownloads", (SELECT s.last_at ${SHARED}) AS "sharedLastAt",
  CASE WHEN EXISTS (SELECT 1 ${SHARED}) THEN (SELECT count(*) FROM devices o WHERE o.phase = 'offered' AND o.address = devices.address
    AND o.offered_folder = devices.offered_folder) END AS "sharedPhones"
  FROM devices`;

// A test device, by MAC or serial (as the phone path's matchTestDevice: blanks never match; MACs are stored normalised,
// serials compared case-insensitively). Uncorrelated IN lists: PostgreSQL hashes each once per statement, where a
// correlated EXISTS would scan test_devices once per phone. COLLATE "C": test_devices may have the database's collation.
const IS_TEST = `((devices.mac != '' AND devices.mac IN (SELECT t.mac COLLATE "C" FROM test_devices t WHERE t.mac IS NOT NULL))
  OR (devices.serial != '' AND lower(devices.serial) IN (SELECT lower(t.serial COLLATE "C") FROM test_devices t WHERE t.serial IS NOT NULL)))`;

/** The phase and its start once @dueVersion/@dueFolder are due (the other columns as stored): domain/device-state.ts
 * phaseOf() and phaseSince() word for word, so that a group of phones is judged again in one UPDATE. */
const PHASE = `CASE WHEN @dueVersion IS NULL THEN (CASE WHEN @dueBlocker IS NOT NULL THEN 'blocked' WHEN offered_version IS NOT NULL AND version = offered_version THEN 'updated' ELSE 'current' END)
  WHEN offered_version = @dueVersion AND offered_folder = @dueFolder THEN (CASE WHEN downloaded_at IS NOT NULL THEN 'downloaded' ELSE 'offered' END)
  ELSE 'behind' END`;
const PHASE_SINCE = `CASE WHEN @dueVersion IS NULL THEN (CASE WHEN @dueBlocker IS NOT NULL THEN NULL WHEN offered_version IS NOT NULL AND version = offered_version THEN updated_at END)
  WHEN offered_version = @dueVersion AND offered_folder = @dueFolder THEN coalesce(downloaded_at, offered_at) END`;

/** The phones of a situation (case-insensitive columns: as the decision compares them) whose due offer is not the one given. */
const SITUATION = `lower(device_type) = lower(@deviceType) AND lower(vendor) = lower(@vendor) AND lower(model) = lower(@model)
  AND lower(revision) = lower(@revision) AND lower(locale) = lower(@locale) AND modules = @modules AND (${IS_TEST})::int = @test
  AND (due_version IS DISTINCT FROM @dueVersion OR due_folder IS DISTINCT FROM @dueFolder OR due_blocker IS DISTINCT FROM @dueBlocker)`;
const ONLY = 'identity = ANY(@only)';

/** Days of seen_days kept, counted back from the newest (the dashboard shows 30; a year to compare with). */
const SEEN_DAYS_KEPT = 400;

/**
 * Phones that may be evicted to make room (domain/inventory-cap.ts evictable()): seen once (the partial index
 * devices_once, its WHERE word for word), last seen before @before, not a test device, and not among the batch's own
 * phones (@keep: they are checking in now), oldest first.
 */
const EVICT = `DELETE FROM devices WHERE id IN (
  SELECT id FROM devices
  WHERE downloaded_at IS NULL AND updated_at IS NULL AND inventory_instant(last_seen) < inventory_instant(first_seen) + interval '1 hour'
    AND last_seen < @before
    AND NOT ${IS_TEST}
    AND NOT (identity = ANY(@keep))
  ORDER BY last_seen LIMIT @limit)`;

/** Phones of a rule's model and locale (every field of its key but the update type; case-insensitive). */
const RULE_PHONES = 'lower(model) = lower(@model) AND lower(locale) = lower(@locale) AND lower(vendor) = lower(@vendor) AND lower(device_type) = lower(@deviceType) AND lower(revision) = lower(@revision)';




// ---- a write: new rows, and the changed columns of the others, in one statement ----

/** Bit of each field in an update's mask of changed columns; the phase and its start (set together) come after them. */
const PHASE_BIT = 1 << FIELDS.length;
/** A new phone already inserted by another node in the meantime: the later check wins, the first sighting is kept. */
const ON_CONFLICT = `ON CONFLICT (identity) DO UPDATE SET first_seen = least(devices.first_seen, excluded.first_seen), ${[...FIELDS.filter((f) => f !== 'identity' && f !== 'firstSeen').map((f) => COLUMNS[f]), 'phase', 'phase_since']
  .map((c) => `${c} = CASE WHEN excluded.last_seen > devices.last_seen THEN excluded.${c} ELSE devices.${c} END`)
  .join(', ')}`;
const INSERT = `INSERT INTO devices (${FIELDS.map((f) => COLUMNS[f]).join(', ')}, phase, phase_since)
  SELECT * FROM unnest(${FIELDS.map((f) => `@i_${f}`).join(', ')}, @i_phase, @i_since) ${ON_CONFLICT} RETURNING 1`;
/** Adds phones to their days; prunes days older than SEEN_DAYS_KEPT before the newest (but those being added: one
 * statement may not write a row twice). */
const SEEN = `INSERT INTO seen_days (day, phones) SELECT * FROM unnest(@days, @phones)
  ON CONFLICT (day) DO UPDATE SET phones = seen_days.phones + excluded.phones RETURNING 1`;
const PRUNE = `DELETE FROM seen_days WHERE NOT (day = ANY(@days)) AND day < to_char(
  (SELECT max(day) FROM (SELECT day FROM seen_days UNION ALL SELECT unnest(@days)) d)::date - ${SEEN_DAYS_KEPT}, 'YYYY-MM-DD')`;

/** bigint (int8: counts, ids) as a number: they stay far below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

type Param = string | number | null | readonly (string | null)[] | readonly number[];

/** A statement with @name parameters as a pg query ($n, typed by their value, text in the columns' collation "C"):
 * SQLite's statements carry over as written. */
function bind(text: string, params: Record<string, Param>): pg.QueryConfig {
  const values: Param[] = [];
  const numbers = new Map<string, number>();
  const sql = text.replace(/@(\w+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`The statement needs @${name}.`);
    const value = params[name]!;
    let n = numbers.get(name);
    if (n === undefined) numbers.set(name, (n = values.push(value)));
    if (typeof value === 'number') return `$${n}::bigint`;
    if (Array.isArray(value) && typeof value[0] === 'number') return `$${n}::int[]`;
    return `($${n}::text${Array.isArray(value) ? '[]' : ''} COLLATE "C")`; // bytewise, and lower() ASCII-only, as SQLite
  });
  return { text: sql, values, types: TYPES };
}

/** Batches written through an engine's repos: one counter for the autocommit repo and those of its transactions. */
export interface BatchCounter {
  batches: number;
}

export class PgDevicesRepo implements DevicesRepo {
  /** `written`: shared by every repo of one engine, so that a transaction's writes move the engine repo's `batches`. */
  constructor(
    private readonly q: Queryable,
    private readonly written: BatchCounter = { batches: 0 },
  ) {}

  /** Writes (and judgings, evictions) through this engine's repos that changed rows: what was read before is stale
   * once it moves (the recorder writes in transactions, each on a repo of its own). */
  get batches(): number {
    return this.written.batches;
  }

  private async rows<T>(text: string, params: Record<string, Param> = {}): Promise<T[]> {
    return (await this.q.query(bind(text, params))).rows as T[];
  }

  private async run(text: string, params: Record<string, Param> = {}): Promise<number> {
    return (await this.q.query(bind(text, params))).rowCount ?? 0;
  }

  async judgedInputs(): Promise<string | undefined> {
    return (await this.rows<{ inputs: string }>('SELECT inputs FROM inventory_judged'))[0]?.inputs;
  }

  async setJudgedInputs(key: string): Promise<void> {
    await this.run('INSERT INTO inventory_judged (id, inputs) VALUES (1, @key) ON CONFLICT (id) DO UPDATE SET inputs = excluded.inputs', { key });
  }

  /** The distinct situations (case-insensitively, as SQLite's DISTINCT on NOCASE columns) of phones whose modules are known. */
  async situations(only?: readonly string[]): Promise<DeviceSituation[]> {
    // Exactly distinct first, by the plain columns (few groups, and the planner knows it: statistics devices_situations),
    // each telling whether it has test devices and others; then case-insensitively over those.
    return this.rows<DeviceSituation>(
      `SELECT min(device_type) AS "deviceType", min(vendor) AS vendor, min(model) AS model, min(revision) AS revision, min(locale) AS locale, modules, v.test
      FROM (SELECT device_type, vendor, model, revision, locale, modules, bool_or(test) AS tests, bool_and(test) AS only_tests
        FROM (SELECT device_type, vendor, model, revision, locale, modules, ${IS_TEST} AS test FROM devices
          WHERE modules IS NOT NULL${only ? ` AND ${ONLY}` : ''}) devices
        GROUP BY device_type, vendor, model, revision, locale, modules) g
      CROSS JOIN LATERAL unnest(CASE WHEN NOT g.tests THEN '{0}'::int[] WHEN g.only_tests THEN '{1}' ELSE '{0,1}' END) v(test)
      GROUP BY lower(device_type), lower(vendor), lower(model), lower(revision), lower(locale), modules, v.test`,
      only ? { only } : {},
    );
  }

  async setDue(s: DeviceSituation, due: { version: string; folder: string } | { blocker: Blocker | null }, only?: readonly string[]): Promise<number> {
    const offer = 'version' in due ? due : null;
    const params = {
      deviceType: s.deviceType,
      vendor: s.vendor,
      model: s.model,
      revision: s.revision,
      locale: s.locale,
      modules: s.modules,
      test: s.test,
      dueVersion: offer?.version ?? null,
      dueFolder: offer?.folder ?? null,
      dueBlocker: 'blocker' in due ? due.blocker : null,
    };
    const changed = await this.run(
      `UPDATE devices SET due_version = @dueVersion, due_folder = @dueFolder, due_blocker = @dueBlocker, phase = ${PHASE}, phase_since = ${PHASE_SINCE}
      WHERE ${SITUATION}${only ? ` AND ${ONLY}` : ''}`,
      only ? { ...params, only } : params,
    );
    if (changed > 0) this.written.batches++;
    return changed;
  }

  async countSharedDownload(address: string, folder: string, at: string): Promise<void> {
    await this.run(
      `INSERT INTO shared_downloads (address, folder, downloads, last_at) VALUES (@address, @folder, 1, @at)
      ON CONFLICT (address, folder) DO UPDATE SET downloads = shared_downloads.downloads + 1, last_at = excluded.last_at`,
      { address, folder, at },
    );
  }

  /** Counted each time (an index-only count): other nodes insert and evict too, so a count kept here would drift. */
  async count(): Promise<number> {
    return (await this.rows<{ n: number }>('SELECT count(*) AS n FROM devices'))[0]!.n;
  }

  async evict(before: string, limit: number, keep: readonly string[]): Promise<number> {
    const gone = await this.run(EVICT, { before, limit, keep });
    if (gone > 0) this.written.batches++;
    return gone;
  }

  async countOverflow(at: string, evicted: number, refused: number): Promise<void> {
    await this.run(
      `INSERT INTO inventory_overflow (id, since, evicted, refused) VALUES (1, @at, @evicted, @refused)
      ON CONFLICT (id) DO UPDATE SET evicted = inventory_overflow.evicted + excluded.evicted, refused = inventory_overflow.refused + excluded.refused`,
      { at, evicted, refused },
    );
  }

  async clearOverflow(): Promise<void> {
    await this.run('DELETE FROM inventory_overflow');
  }

  async overflow(): Promise<InventoryOverflow | undefined> {
    return (await this.rows<InventoryOverflow>('SELECT since, evicted, refused FROM inventory_overflow'))[0];
  }

  /**
   * New phones as rows, known ones as the columns that changed (a mask per row: another node may have written the
   * others meanwhile, a download say), the phase and its start where they moved, and the seen days: one statement.
   */
  async write(changes: Iterable<DeviceChange>, seenDays?: ReadonlyMap<string, number>): Promise<void> {
    const inserts: DeviceRecord[] = [];
    const updates: { after: DeviceRecord; mask: number; phase: string; since: string | null }[] = [];
    let changedColumns = 0;
    for (const { before, after } of changes) {
      if (!before) {
        inserts.push(after);
        continue;
      }
      let mask = 0;
      for (let i = 0; i < FIELDS.length; i++) if (before[FIELDS[i]!] !== after[FIELDS[i]!]) mask |= 1 << i;
      const phase = phaseOf(after);
      const since = phaseSince(after);
      if (phaseOf(before) !== phase || phaseSince(before) !== since) mask |= PHASE_BIT;
      if (mask === 0) continue;
      changedColumns |= mask;
      updates.push({ after, mask, phase, since });
    }
    // Rows in identity order: two nodes writing the same phones lock them in the same order (no deadlock between them).
    const byIdentity = (a: DeviceRecord, b: DeviceRecord) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0);
    inserts.sort(byIdentity);
    updates.sort((a, b) => byIdentity(a.after, b.after));
    const parts: string[] = [];
    const params: Record<string, Param> = {};
    if (inserts.length > 0) {
      parts.push(`ins AS (${INSERT})`);
      for (const f of FIELDS) params[`i_${f}`] = inserts.map((r) => r[f]);
      params.i_phase = inserts.map(phaseOf);
      params.i_since = inserts.map(phaseSince);
    }
    if (updates.length > 0) {
      type Update = (typeof updates)[number];
      const columns = FIELDS.flatMap((f, i) => (changedColumns & (1 << i) ? [{ column: COLUMNS[f], bit: 1 << i, value: (u: Update) => u.after[f] }] : []));
      if (changedColumns & PHASE_BIT) {
        columns.push({ column: 'phase', bit: PHASE_BIT, value: (u) => u.phase }, { column: 'phase_since', bit: PHASE_BIT, value: (u) => u.since });
      }
      columns.forEach((c, i) => (params[`u${i}`] = updates.map((u) => (u.mask & c.bit ? c.value(u) : null))));
      params.u_identity = updates.map((u) => u.after.identity);
      params.u_mask = updates.map((u) => u.mask);
      parts.push(`upd AS (UPDATE devices d SET ${columns.map((c) => `${c.column} = CASE WHEN (x.m & ${c.bit}) <> 0 THEN x.${c.column} ELSE d.${c.column} END`).join(', ')}
        FROM unnest(@u_identity, @u_mask, ${columns.map((_, i) => `@u${i}`).join(', ')}) AS x(identity, m, ${columns.map((c) => c.column).join(', ')})
        WHERE d.identity = x.identity RETURNING 1)`);
    }
    if (seenDays?.size) {
      parts.push(`seen AS (${SEEN})`, `pruned AS (${PRUNE})`);
      params.days = [...seenDays.keys()];
      params.phones = [...seenDays.values()];
    }
    if (parts.length === 0) return;
    const counted = [inserts.length > 0 && '(SELECT count(*) FROM ins)', updates.length > 0 && '(SELECT count(*) FROM upd)'].filter(Boolean);
    const [row] = await this.rows<{ n: number }>(`WITH ${parts.join(',\n')} SELECT ${counted.join(' + ') || '0'} AS n`, params);
    if (row!.n > 0) this.written.batches++;
  }

  async findAll(identities: readonly string[]): Promise<Map<string, DeviceRecord & { id: number }>> {
    const rows = await this.rows<DeviceRecord & { id: number }>(`${SELECT} WHERE identity = ANY(@identities)`, { identities });
    return new Map(rows.map((r) => [r.identity, r]));
  }

  async awaitingDownload(address: string, folder: string, limit: number): Promise<DeviceRecord[]> {
    return this.rows<DeviceRecord>(`${SELECT} WHERE address = @address AND offered_folder = @folder AND phase = 'offered' ORDER BY offered_at, id LIMIT @limit`, {
      address,
      folder,
      limit,
    });
  }

  async get(id: number): Promise<StoredDevice | undefined> {
    return (await this.rows<StoredDevice>(`${LISTED} WHERE id = @id`, { id }))[0];
  }

  async knows(mac: string, serial: string): Promise<boolean> {
    const found = await this.rows(`SELECT 1 FROM devices WHERE identity = @identity OR (lower(serial) = lower(@serial) AND @serial != '') LIMIT 1`, {
      identity: `mac:${mac}`,
      serial,
    });
    return found.length > 0;
  }

  async list(f: DeviceFilter, cutoffs: StateCutoffs, sort: DeviceSort, order: 'asc' | 'desc', limit: number, offset: number): Promise<StoredDevice[]> {
    const { where, params } = conditions(f, cutoffs);
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    return this.rows<StoredDevice>(`${LISTED} ${where} ORDER BY ${sortKey(sort)} ${dir}, id ${dir} LIMIT @limit OFFSET @offset`, { ...params, limit, offset });
  }

  /**
   * Every device list() would give, in its order, a page at a time (the CSV export). Each page starts after the last
   * row of the one before (keyset), so none re-reads the rows before it as OFFSET would.
   */
  async *pages(f: DeviceFilter, cutoffs: StateCutoffs, sort: DeviceSort, order: 'asc' | 'desc', size: number): AsyncGenerator<StoredDevice[]> {
    const { where, params } = conditions(f, cutoffs);
    const field = SORT_FIELDS[sort];
    const key = sortKey(sort);
    const [dir, after] = order === 'asc' ? ['ASC', '>'] : ['DESC', '<'];
    const lastValue = NOCASE.has(field) ? 'lower(@lastValue)' : '@lastValue';
    const cond = `(${key}, id) ${after} (${lastValue}, @lastId)`;
    const page = (keyset: boolean) => `${LISTED} ${keyset ? (where ? `${where} AND ${cond}` : `WHERE ${cond}`) : where} ORDER BY ${key} ${dir}, id ${dir} LIMIT @size`;
    let rows = await this.rows<StoredDevice>(page(false), { ...params, size });
    while (rows.length > 0) {
      yield rows;
      const last = rows.at(-1)!;
      rows = rows.length < size ? [] : await this.rows<StoredDevice>(page(true), { ...params, size, lastValue: last[field], lastId: last.id });
    }
  }

  async countByState(f: Omit<DeviceFilter, 'state'>, cutoffs: StateCutoffs): Promise<Record<DeviceState, number>> {
    const { where, params } = conditions(f, cutoffs);
    const states = Object.keys(STATE_SQL) as DeviceState[];
    const counts = states.map((s, i) => `count(*) FILTER (WHERE ${STATE_SQL[s]}) AS s${i}`).join(', ');
    const [row] = await this.rows<Record<string, number>>(`SELECT ${counts} FROM devices ${where}`, { ...cutoffs, ...params });
    return Object.fromEntries(states.map((s, i) => [s, row![`s${i}`]!])) as Record<DeviceState, number>;
  }

  async countForRule(k: Omit<RuleKey, 'updateType'>): Promise<number> {
    const { model, locale, vendor, deviceType, revision } = k;
    return (await this.rows<{ n: number }>(`SELECT count(*) AS n FROM devices WHERE ${RULE_PHONES}`, { model, locale, vendor, deviceType, revision }))[0]!.n;
  }

  async rollout(k: Omit<RuleKey, 'updateType'>, approved: string, cutoffs: StateCutoffs): Promise<Record<'eligible' | RolloutPart, number>> {
    const { model, locale, vendor, deviceType, revision } = k;
    const parts = Object.entries(ROLLOUT_PARTS).map(([part, cond]) => `count(*) FILTER (WHERE ${cond}) AS "${part}"`).join(', ');
    const [row] = await this.rows<Record<'eligible' | RolloutPart, number>>(`SELECT count(*) AS eligible, ${parts} FROM devices WHERE ${RULE_PHONES}`, {
      model,
      locale,
      vendor,
      deviceType,
      revision,
      approved,
      ...cutoffs,
    });
    return row!;
  }

  /** Phones per model (case-insensitively, as SQLite's GROUP BY on a NOCASE column) and installed version, most first. */
  async versionsPerModel(): Promise<{ model: string; version: string; phones: number }[]> {
    return this.rows('SELECT min(model) AS model, version, count(*) AS phones FROM devices GROUP BY lower(model), version ORDER BY phones DESC, lower(model), version');
  }

  async phonesByLocaleAndVersion(): Promise<{ deviceType: string; locale: string; version: string; phones: number }[]> {
    return this.rows(
      'SELECT min(device_type) AS "deviceType", upper(min(locale)) AS locale, version, count(*) AS phones FROM devices GROUP BY lower(device_type), lower(locale), version',
    );
  }

  async seenDays(fromDay: string): Promise<Map<string, number>> {
    const rows = await this.rows<{ day: string; phones: number }>('SELECT day, phones FROM seen_days WHERE day >= @fromDay', { fromDay });
    return new Map(rows.map((r) => [r.day, r.phones]));
  }

  async countOfModels(models: readonly string[]): Promise<number> {
    return (await this.rows<{ n: number }>('SELECT count(*) AS n FROM devices WHERE lower(model) IN (SELECT lower(m) FROM unnest(@models) m)', { models }))[0]!.n;
  }

  async latestSeen(): Promise<string | undefined> {
    return (await this.rows<{ at: string | null }>('SELECT max(last_seen) AS at FROM devices'))[0]!.at ?? undefined;
  }
}

/** What a sort orders by: the column, or lower() of a NOCASE one. */
function sortKey(sort: DeviceSort): string {
  const field = SORT_FIELDS[sort];
  return NOCASE.has(field) ? `lower(${COLUMNS[field]})` : COLUMNS[field];
}

function conditions(f: DeviceFilter, cutoffs: StateCutoffs): { where: string; params: Record<string, string> } {
  const parts: string[] = [];
  const params: Record<string, string> = {};
  if (f.state) {
    parts.push(STATE_SQL[f.state]);
    Object.assign(params, cutoffs);
  }
  if (f.model !== undefined) parts.push('lower(model) = lower(@model)');
  if (f.version !== undefined) parts.push('version = @version');
  if (f.locale !== undefined) parts.push('lower(locale) = lower(@locale)');
  for (const key of ['model', 'version', 'locale'] as const) if (f[key] !== undefined) params[key] = f[key];
  if (f.q) {
    // Prefix searches (LIKE 'x%' on lower(): SQLite's LIKE ignores ASCII case) use the indexes of lower(); a MAC is
    // searched without its separators.
    const like = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const hex = f.q.replace(/[-:.\s]/g, '');
    params.q = like(f.q);
    params.qMac = like(/^[0-9a-f]+$/i.test(hex) ? hex : f.q);
    parts.push(
      `(lower(mac) LIKE lower(@qMac) ESCAPE '\\' OR lower(serial) LIKE lower(@q) ESCAPE '\\' OR lower(user_name) LIKE lower(@q) ESCAPE '\\' OR lower(model) LIKE lower(@q) ESCAPE '\\')`,
    );
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}
