// The device inventory for admins: phones listed, filtered, searched and counted by state, each state with its reason;
// exported as CSV; and the dashboard's figures.
import type { DashboardDto, DeviceDto, DeviceListDto, DeviceQuery, DeviceState, InventoryFullDto } from '../../shared/inventory-api.js';
import { DEVICE_CSV_HEADER, deviceCsvRow } from '../domain/device-csv.js';
import { ruleKeyPath } from '../domain/device.js';
import { deviceState, lastDays, stateCutoffs, type StateThresholds } from '../domain/device-state.js';
import type { RuleRecord, StateCutoffs, StoredDevice } from './store-contract.js';
import { AppError } from './app-error.js';
import type { Store } from './store.js';

async function thresholds(store: Store): Promise<StateThresholds> {
  const s = await store.settings.read();
  return { stuckHours: s.deviceStuckHours, silentDays: s.deviceSilentDays };
}

function toDto(d: StoredDevice, now: Date, t: StateThresholds): DeviceDto {
  const { identity: _identity, offeredFolder: _folder, modules: _modules, dueFolder: _dueFolder, sharedDownloads, sharedLastAt, sharedPhones, mac, serial, ...rest } = d;
  const sharedDownload = sharedDownloads !== null && sharedLastAt !== null ? { downloads: sharedDownloads, lastAt: sharedLastAt, phones: sharedPhones ?? 0 } : null;
  return { ...rest, mac: mac || null, serial: serial || null, sharedDownload, ...deviceState(d, now, t, sharedDownload) };
}

/** The query's parts shared by the list and the export: filters (the state apart), order, and the time's state cut-offs. */
async function querying(store: Store, q: Omit<DeviceQuery, 'limit' | 'offset'>) {
  const now = store.now();
  const t = await thresholds(store);
  const { state, model, version, locale, q: search } = q;
  const order = q.order ?? (q.sort === 'lastSeen' || q.sort === 'firstSeen' ? 'desc' : 'asc');
  return { now, t, cutoffs: stateCutoffs(now, t), state, others: { model, version, locale, q: search }, order } as const;
}

// Counting by state reads every matching phone (tens of ms at 100,000), and the Devices tab asks again for each
// state chip and each page it scrolls to: counts are reused until the inventory is written or judged again by this
// server, or judged on other rules by another process (the CLI approving), for at most COUNTS_MAX_AGE_MS (a bound
// on what other processes, such as an audit import by the CLI, change).
const COUNTS_MAX_AGE_MS = 10_000;
const countsCache = new WeakMap<Store, Map<string, { batches: number; judged: string | undefined; at: number; counts: Record<DeviceState, number> }>>();

async function countsByState(store: Store, others: Parameters<Store['devices']['countByState']>[0], t: StateThresholds, now: Date) {
  const cache = countsCache.get(store) ?? new Map();
  countsCache.set(store, cache);
  const key = JSON.stringify([others, t]);
  const hit = cache.get(key);
  const batches = store.devices.batches;
  const judged = await store.devices.judgedInputs();
  const fresh = hit && hit.batches === batches && hit.judged === judged;
  if (fresh && now.getTime() - hit.at >= 0 && now.getTime() - hit.at < COUNTS_MAX_AGE_MS) return hit.counts;
  const counts = await store.devices.countByState(others, stateCutoffs(now, t));
  if (cache.size >= 100) cache.clear();
  cache.set(key, { batches, judged, at: now.getTime(), counts });
  return counts;
}

export async function listDevices(store: Store, q: DeviceQuery): Promise<DeviceListDto> {
  const { now, t, cutoffs, state, others, order } = await querying(store, q);
  const counts = await countsByState(store, others, t, now);
  return {
    total: state ? counts[state] : sum(counts),
    counts,
    devices: (await store.devices.list({ ...others, state }, cutoffs, q.sort, order, q.limit, q.offset)).map((d) => toDto(d, now, t)),
    thresholds: t,
    full: await inventoryFull(store),
  };
}

/**
 * The inventory at its cap, with the phones evicted and not recorded since it filled (kept by the recorder in the
 * store, so the CLI and a restart see them); null while below the cap, as after raising it.
 */
async function inventoryFull(store: Store): Promise<InventoryFullDto | null> {
  const overflow = await store.devices.overflow();
  const maxDevices = (await store.settings.read()).inventoryMaxDevices;
  return overflow && (await store.devices.count()) >= maxDevices ? { maxDevices, ...overflow } : null;
}

/** Rows per page of the CSV export: enough to keep SQLite busy, little enough to hold (and to sort when filtered). */
const EXPORT_PAGE = 2_000;

/** Every device matching the query (no paging), as CSV text: the header, then one string per page of rows. */
export async function* devicesCsv(store: Store, q: Omit<DeviceQuery, 'limit' | 'offset'>): AsyncGenerator<string> {
  const { now, t, cutoffs, state, others, order } = await querying(store, q);
  yield DEVICE_CSV_HEADER;
  for await (const page of store.devices.pages({ ...others, state }, cutoffs, q.sort, order, EXPORT_PAGE)) {
    yield page.map((d) => deviceCsvRow(toDto(d, now, t))).join('');
  }
}

const sum = (counts: Record<DeviceState, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Days shown by the dashboard's phones-per-day chart. */
const SEEN_DAYS_SHOWN = 30;

export async function dashboard(store: Store): Promise<DashboardDto> {
  const now = store.now();
  const cutoffs = stateCutoffs(now, await thresholds(store));
  const counts = await store.devices.countByState({}, cutoffs);
  const days = lastDays(now, SEEN_DAYS_SHOWN);
  const seen = await store.devices.seenDays(days[0]!);
  return {
    total: sum(counts),
    counts,
    versions: await store.devices.versionsPerModel(),
    rollouts: await Promise.all(
      (await store.rules.list()).flatMap((r) => (r.approved ? [rolloutOf(store, r, r.approved, cutoffs)] : [])),
    ),
    seenPerDay: days.map((day) => ({ day, phones: seen.get(day) ?? 0 })),
    full: await inventoryFull(store),
  };
}

async function rolloutOf(store: Store, r: RuleRecord, approved: string, cutoffs: StateCutoffs) {
  return { ruleId: r.id, rule: ruleKeyPath(r), approved, ...(await store.devices.rollout(r, approved, cutoffs)) };
}

/** The phone with this id, or not_found in words (the phone's page and everything on it start here). */
export async function findDevice(store: Store, id: number): Promise<StoredDevice> {
  const d = await store.devices.get(id);
  if (!d) throw new AppError('not_found', `There is no device with id ${id} in the inventory.`);
  return d;
}

export async function getDevice(store: Store, id: number): Promise<DeviceDto> {
  return toDto(await findDevice(store, id), store.now(), await thresholds(store));
}
