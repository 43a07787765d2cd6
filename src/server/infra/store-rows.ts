// What the two engines (infra/db: SQLite, infra/pg: PostgreSQL) share: their tables have the same columns, so a row
// becomes the same record in both, and the inventory's state conditions are the same SQL in both dialects (named
// @parameters, plain comparisons).
import type { DeviceSort, DeviceState } from '../../shared/inventory-api.js';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../shared/settings.js';
import type { Version } from '../../shared/version.js';
import type { DeviceRecord } from '../domain/device-state.js';
import type { PackageRecord, RolloutPart, RuleRecord } from '../app/store-contract.js';

export interface RuleRow {
  id: number;
  device_type: string;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  update_type: string;
  approved: string | null;
  pending: string | null;
  restore: string | null;
  updated_at: string;
}

export const toRule = (r: RuleRow, versions: Version[]): RuleRecord => ({
  id: r.id,
  deviceType: r.device_type,
  vendor: r.vendor,
  model: r.model,
  revision: r.revision,
  locale: r.locale,
  updateType: r.update_type,
  approved: r.approved as Version | null,
  pending: r.pending as Version | null,
  restore: r.restore as Version | null,
  updatedAt: r.updated_at,
  versions,
});

export interface PackageRow {
  id: number;
  sha256: string;
  file_name: string;
  package_version: string | null;
  size: number;
  kind: PackageRecord['kind'];
  imported_at: string;
  imported_by: string;
  file_count: number;
}

export const toPackage = (r: PackageRow): PackageRecord => ({
  id: r.id,
  sha256: r.sha256,
  fileName: r.file_name,
  packageVersion: r.package_version,
  size: r.size,
  kind: r.kind,
  importedAt: r.imported_at,
  importedBy: r.imported_by,
  fileCount: r.file_count,
});

/** The settings from their stored rows (key, JSON value), defaults filled in; a value that no longer validates falls
 * back to its default. */
export function settingsFromRows(rows: Iterable<{ key: string; value: string }>): Settings {
  const stored: Record<string, unknown> = {};
  for (const { key, value } of rows) if (key in DEFAULT_SETTINGS) stored[key] = JSON.parse(value);
  const parsed = settingsSchema.safeParse(stored);
  if (parsed.success) return parsed.data;
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  return settingsSchema.parse(Object.fromEntries(Object.entries(stored).filter(([k]) => !bad.has(k))));
}

/** The devices table's column of each record field (rows are selected with the fields as aliases). */
export const COLUMNS: Record<keyof DeviceRecord, string> = {
  identity: 'identity',
  mac: 'mac',
  serial: 'serial',
  deviceType: 'device_type',
  vendor: 'vendor',
  model: 'model',
  revision: 'revision',
  locale: 'locale',
  version: 'version',
  userName: 'user_name',
  address: 'address',
  firstSeen: 'first_seen',
  lastSeen: 'last_seen',
  offeredVersion: 'offered_version',
  offeredFolder: 'offered_folder',
  offeredAt: 'offered_at',
  downloadedAt: 'downloaded_at',
  updatedAt: 'updated_at',
  modules: 'modules',
  dueVersion: 'due_version',
  dueFolder: 'due_folder',
  dueBlocker: 'due_blocker',
};
export const FIELDS = Object.keys(COLUMNS) as (keyof DeviceRecord)[];

/** The record field each sort of the Devices list orders by. */
export const SORT_FIELDS: Record<DeviceSort, keyof DeviceRecord> = {
  lastSeen: 'lastSeen',
  firstSeen: 'firstSeen',
  mac: 'mac',
  serial: 'serial',
  model: 'model',
  version: 'version',
  locale: 'locale',
  user: 'userName',
};

// Each state as a condition on the stored phase and times: the same comparisons as deviceState() in the domain.
const ACTIVE = 'last_seen >= @silentBefore';
export const STATE_SQL: Record<DeviceState, string> = {
  silent: 'last_seen < @silentBefore',
  'up-to-date': `phase = 'current' AND ${ACTIVE}`,
  blocked: `phase = 'blocked' AND ${ACTIVE}`,
  behind: `phase = 'behind' AND ${ACTIVE}`,
  updated: `phase = 'updated' AND ${ACTIVE}`,
  offered: `phase = 'offered' AND phase_since >= @stuckBefore AND ${ACTIVE}`,
  downloaded: `phase = 'downloaded' AND phase_since >= @stuckBefore AND ${ACTIVE}`,
  stuck: `phase IN ('offered', 'downloaded') AND phase_since < @stuckBefore AND ${ACTIVE}`,
};

const NOT_ON = 'version != @approved';
/** The parts of a rollout: on the approved version, else the state (STATE_SQL is itself a partition). */
export const ROLLOUT_PARTS: Record<RolloutPart, string> = {
  onApproved: 'version = @approved',
  blocked: `${NOT_ON} AND ${STATE_SQL.blocked}`,
  behind: `${NOT_ON} AND ${STATE_SQL.behind}`,
  offered: `${NOT_ON} AND ${STATE_SQL.offered}`,
  downloaded: `${NOT_ON} AND ${STATE_SQL.downloaded}`,
  stuck: `${NOT_ON} AND ${STATE_SQL.stuck}`,
  silent: `${NOT_ON} AND ${STATE_SQL.silent}`,
  other: `${NOT_ON} AND (${STATE_SQL['up-to-date']} OR ${STATE_SQL.updated})`,
};
