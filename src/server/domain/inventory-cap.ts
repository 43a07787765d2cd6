// The inventory's cap (setting inventoryMaxDevices), pure: which phones may be removed to make room for new ones, and
// how many new phones fit. Any client on the phone network can invent MACs; invented phones must neither grow the
// store without limit nor push out real phones, which check in at least daily.
import type { DeviceRecord } from './device-state.js';

/** Checks closer together than this are one occasion (a phone's retries, or its reboot after installing). */
export const ONE_OCCASION_MS = 3_600_000;
/** A phone seen once is kept this long: a real one checks in daily, so it has come back (with a day to spare). */
export const EVICTION_GRACE_MS = 48 * 3_600_000;

/**
 * The eviction rule: a phone may be removed to make room when it checked in on one occasion and never again —
 * its last check came less than an hour after its first, and was more than two days before `now`; it never
 * downloaded its offer nor reported an update; it is not a test device. Oldest last check first. A phone that came
 * back after an hour (every real phone by its second day) is never evicted; an attacker's invented phone is, after two
 * days. The SQL twin (EVICT in infra/db/devices-repo.ts, on index devices_once of migration 5) must agree with it.
 */
export function evictable(
  r: Pick<DeviceRecord, 'firstSeen' | 'lastSeen' | 'downloadedAt' | 'updatedAt'>,
  testDevice: boolean,
  now: string,
): boolean {
  return seenOnce(r) && r.lastSeen < evictableBefore(now) && r.downloadedAt === null && r.updatedAt === null && !testDevice;
}

/** One occasion only: the last check less than ONE_OCCASION_MS after the first. */
export function seenOnce(r: Pick<DeviceRecord, 'firstSeen' | 'lastSeen'>): boolean {
  return Date.parse(r.lastSeen) - Date.parse(r.firstSeen) < ONE_OCCASION_MS;
}

/** A phone seen once and last seen before this (ISO-8601 UTC) may be evicted at `now`. */
export function evictableBefore(now: string): string {
  return new Date(Date.parse(now) - EVICTION_GRACE_MS).toISOString();
}

/**
 * How many phones to evict so that `arriving` new ones fit in `max` beside the `devices` stored. Never more than
 * arrive: a lowered cap is reached as new phones come, not by deleting thousands at once on the phone path.
 */
export function evictionsWanted(devices: number, max: number, arriving: number): number {
  return Math.max(0, Math.min(arriving, devices + arriving - max));
}

/** How many of `arriving` new phones fit in `max` beside the `devices` stored (after evicting); the rest are not recorded. */
export function admissible(devices: number, max: number, arriving: number): number {
  return Math.max(0, Math.min(arriving, max - devices));
}
