// The device inventory's part of the admin API: the query schema (GET /api/devices) and what it answers.
import { z } from 'zod';

/**
 * A phone's update state, judged against today's rules (see server/domain/device-state.ts): up to date (nothing is
 * due), blocked (nothing is due although its rule wants another version: the image or the interim image it needs is
 * not in the store, or there is no rule for its locale), behind (something is due that its last check was not told: a new approval, a roll back), offered, downloaded,
 * updated, stuck (offered or downloaded long ago), silent (not seen for days). Every phone is in exactly one.
 */
export const DEVICE_STATES = ['up-to-date', 'blocked', 'behind', 'offered', 'downloaded', 'updated', 'stuck', 'silent'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

export const DEVICE_SORTS = ['lastSeen', 'firstSeen', 'mac', 'serial', 'model', 'version', 'locale', 'user'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];

// A blank filter (an emptied box in the console) means no filter.
const filter = z
  .string()
  .trim()
  .max(100)
  .optional()
  .transform((s) => s || undefined);

export const deviceQuery = z.object({
  state: z.enum(DEVICE_STATES).optional(),
  /** Exact, case-insensitive. */
  model: filter,
  version: filter,
  locale: filter,
  /** Prefix of the MAC (any notation), serial number, last user or model, case-insensitive. */
  q: filter,
  sort: z.enum(DEVICE_SORTS).default('lastSeen'),
  /** Default: newest first for times, A to Z otherwise. */
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
export type DeviceQuery = z.infer<typeof deviceQuery>;
export const deviceId = z.coerce.number().int().positive();

export interface DeviceDto {
  id: number;
  mac: string | null;
  serial: string | null;
  deviceType: string;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  /** The installed version of the image module, as last reported. */
  version: string;
  /** The last user the phone reported ('' when none ever signed in). */
  userName: string;
  address: string;
  firstSeen: string;
  lastSeen: string;
  /** The last version offered to it, kept after it installed it (state "updated") until the next offer or none. */
  offeredVersion: string | null;
  /** When that version was first offered (repeating the offer keeps it: "stuck" counts from here). */
  offeredAt: string | null;
  /** The first download of the offered image. */
  downloadedAt: string | null;
  /** The check that first reported the offered version. */
  updatedAt: string | null;
  /** What today's rules offer it at its next check (null: nothing); the same as its Why. */
  dueVersion: string | null;
  /**
   * Downloads of its offered image that came from its address while several phones there were offered it: not
   * attributed to one (null when none, or once it is credited with its own).
   */
  sharedDownload: { downloads: number; lastAt: string; phones: number } | null;
  state: DeviceState;
  /** One sentence: why the phone is in that state. */
  reason: string;
}

export interface DeviceListDto {
  /** Devices matching every filter (for paging). */
  total: number;
  /** Devices per state, matching every filter but the state. */
  counts: Record<DeviceState, number>;
  devices: DeviceDto[];
  thresholds: { stuckHours: number; silentDays: number };
  /** Set while the inventory is full. */
  full: InventoryFullDto | null;
}

/**
 * The inventory at its cap (setting inventoryMaxDevices) and what that cost since it filled: phones seen once that
 * were removed to make room, and new phones that were not recorded because none could make room. The counts
 * start again when the inventory is next below its cap (the cap raised).
 */
export interface InventoryFullDto {
  maxDevices: number;
  /** When the first phone was evicted or not recorded. */
  since: string;
  evicted: number;
  /** New phones not recorded (one checking in again later, still without room, counts again). */
  refused: number;
}

/** GET /api/dashboard: the fleet at a glance. */
export interface DashboardDto {
  total: number;
  counts: Record<DeviceState, number>;
  /** Phones per model and installed version (the firmware chart), most phones first. */
  versions: { model: string; version: string; phones: number }[];
  /**
   * Every rule with an approved version: its phones (same model and locale) by where they stand, a partition: each
   * phone in exactly one part, the parts summing to `eligible`. A phone on the approved version counts as on it, even
   * silent; the others by their state.
   */
  rollouts: {
    ruleId: number;
    rule: string;
    approved: string;
    /** Phones of the rule's model and locale. */
    eligible: number;
    /** Of those, running the approved version. */
    onApproved: number;
    /** Cannot get it: the store lacks the image or the interim image they need, or they have no rule for their locale. */
    blocked: number;
    /** Will be offered an update (this one or the interim build first) at their next check. */
    behind: number;
    offered: number;
    downloaded: number;
    stuck: number;
    silent: number;
    /** Active, not on the approved version and nothing on the way: up to date otherwise (a test device on a pending
     * version, a phone not reporting the module). */
    other: number;
  }[];
  /** Distinct phones that checked in, per UTC day, the last 30 days (days with none included, as 0). */
  seenPerDay: { day: string; phones: number }[];
  /** Set while the inventory is full. */
  full: InventoryFullDto | null;
}

/** GET /api/devices/:id/history: the phone's update checks as the audit log recorded them, newest first. */
export interface DeviceHistoryDto {
  entries: {
    at: string;
    address: string;
    user: string;
    /** file;version;timestamp of each reported module, as the audit log writes them. */
    requested: string[];
    /** What it was offered: the image URL(s), or [] for nothing. */
    response: string[];
  }[];
  /** True when more lines exist than were read (the newest are shown). */
  truncated: boolean;
}

/** A log file a phone uploaded (CE log, Watson dump, RoundTable config). GET /api/devices/:id/logs. */
export interface DeviceLogDto {
  id: number;
  type: string;
  fileName: string;
  size: number;
  receivedAt: string;
}

/** POST /api/audit-logs (the body: one RequestHandlerAuditLog_*.log file): fills the inventory from a retiring server. */
export interface AuditImportDto {
  fileName: string;
  lines: number;
  /** Update checks applied to the inventory. */
  imported: number;
  /** Lines that are not update checks (header, blank) or were older than what the inventory knows. */
  skipped: number;
  /** Lines that could not be read, with their line number (at most 100 are listed). */
  errors: { line: number; message: string }[];
  /** Phones the inventory did not know before. */
  newDevices: number;
}
