// The device inventory's state machine, pure: how an update check or an image download changes a phone's record,
// and which state (up to date, behind, offered, downloaded, updated, stuck, silent) a record is in at a given time.
// A record holds what its last check was told (the offer) and what today's rules would offer it at its next check
// (the due offer: the answer at each check, judged again whenever the rules change, app/inventory-judge.ts); the
// state is judged from both, so it stays true between checks.
// Times are ISO-8601 UTC strings, so that comparing them as text (here and in SQL) compares the instants.
import type { DeviceDto, DeviceState } from '../../shared/inventory-api.js';
import type { DeviceRequest, ModuleReport } from './device.js';
import type { Decision, NoneReason } from './update-decision.js';

/** A phone's row: the DTO's fields but the derived state, with '' for a blank MAC or serial, and what the
 * recorder needs besides (the identity, the offered folder). */
export interface DeviceRecord extends Omit<DeviceDto, 'id' | 'mac' | 'serial' | 'state' | 'reason' | 'sharedDownload'> {
  /** 'mac:<12 hex digits>' or, for a phone that reports no usable MAC, 'serial:<SERIAL>'. */
  identity: string;
  mac: string;
  serial: string;
  /** The offered image folder, lower-cased like store paths: downloads are matched to it. */
  offeredFolder: string | null;
  /** The modules its last check reported (moduleList): with the model, locale and test device, the decision's input,
   * so that the rules can judge the phone again without it. null: not known (a row older than the column). */
  modules: string | null;
  /** The image folder today's rules offer at its next check (lower-cased), with dueVersion. */
  dueFolder: string | null;
  /** When nothing is due although a rule wants the phone on another version: why it cannot get it (blocked). */
  dueBlocker: Blocker | null;
}

/** What keeps a phone from the version its rule wants: the store lacks the image, or the interim image it needs first,
 * or there is no rule for its locale (it reports 0x0/200 and never updates). A model without any package is not
 * blocked: nobody has taken charge of it yet. */
export type Blocker = Extract<NoneReason, 'image-missing' | 'interim-missing' | 'no-rule-for-locale'>;
const BLOCKERS: readonly NoneReason[] = ['image-missing', 'interim-missing', 'no-rule-for-locale'];

/** The blocker of a decision that offers nothing, if what stopped it is one. */
export function blockerOf(d: Pick<Decision, 'offers' | 'reason'>): Blocker | null {
  return d.offers.length === 0 && d.reason !== null && BLOCKERS.includes(d.reason) ? (d.reason as Blocker) : null;
}

/** Where a record stands, before time (stuck, silent) is considered. Stored, so that states filter on an index. */
export type DevicePhase = 'current' | 'blocked' | 'behind' | 'offered' | 'downloaded' | 'updated';

/** Downloads of a phone's offered image that came from its address while other phones there were offered it too:
 * not attributed to any of them (which one fetched it is not known). */
export interface SharedDownload {
  downloads: number;
  lastAt: string;
  /** Phones at the address offered that image and not known to have downloaded it, this one included. */
  phones: number;
}

export interface CheckObservation {
  at: string;
  address: string;
  request: DeviceRequest;
  /** The installed version of the module the answer is about. */
  version: string;
  offer: { version: string; folder: string } | null;
  /** With no offer: what keeps the phone from the version its rule wants (blockerOf the decision). */
  blocker?: Blocker | null;
}

export interface StateThresholds {
  stuckHours: number;
  silentDays: number;
}

const HOUR_MS = 3_600_000;
const PLACEHOLDER_MAC = /^(0{12}|F{12})$/;

/**
 * A phone's stable identity: its MAC, else its serial number. A phone that reports neither (or a placeholder MAC
 * and no serial) cannot be told apart from others and is not recorded. A phone that reports its MAC only
 * sometimes would appear twice; no such phone is known.
 */
export function deviceIdentity(req: Pick<DeviceRequest, 'mac' | 'serial'>): string | undefined {
  if (req.mac && !PLACEHOLDER_MAC.test(req.mac)) return `mac:${req.mac}`;
  const serial = req.serial.trim().toUpperCase();
  return serial ? `serial:${serial}` : undefined;
}

/** The installed version when nothing is offered: the image module (.nbt) if reported, else the first module. */
export function reportedVersion(modules: readonly ModuleReport[]): string {
  return (modules.find((m) => /\.nbt$/i.test(m.fileName)) ?? modules[0])?.version ?? '';
}

/** The reported modules as stored: one "file;version" per line, as the phone listed them (timestamps play no part). */
export function moduleList(modules: readonly ModuleReport[]): string {
  return modules.map((m) => `${m.fileName};${m.version}`).join('\n');
}

/** The modules of moduleList() again, for the decision (a blank timestamp: the decision does not read it). */
export function parseModuleList(list: string): ModuleReport[] {
  return list === '' ? [] : list.split('\n').map((line) => {
    const cut = line.lastIndexOf(';');
    return { fileName: line.slice(0, cut), version: line.slice(cut + 1), timestamp: '' };
  });
}

/**
 * The phase, from what the last check was told and what is due now. Nothing due: updated if it runs the version it
 * was last offered, else current. The offer it was told still due: offered or downloaded. Anything else due (a new
 * approval, a roll back, an offer replaced): behind, until its next check is told it. The SQL twin (PHASE in
 * infra/db/devices-repo.ts, used when the rules are judged again) must agree with it.
 */
export function phaseOf(r: Pick<DeviceRecord, 'offeredVersion' | 'offeredFolder' | 'version' | 'downloadedAt' | 'dueVersion' | 'dueFolder' | 'dueBlocker'>): DevicePhase {
  if (r.dueVersion === null && r.dueBlocker) return 'blocked';
  if (r.dueVersion === null) return r.offeredVersion !== null && r.version === r.offeredVersion ? 'updated' : 'current';
  if (r.offeredVersion === r.dueVersion && r.offeredFolder === r.dueFolder) return r.downloadedAt ? 'downloaded' : 'offered';
  return 'behind';
}

/** When the current phase began (null for current and behind): stuck is measured from it. */
export function phaseSince(r: DeviceRecord): string | null {
  const phase = phaseOf(r);
  return phase === 'updated' ? r.updatedAt : phase === 'downloaded' ? r.downloadedAt : phase === 'offered' ? r.offeredAt : null;
}

type OfferFields = Pick<DeviceRecord, 'offeredVersion' | 'offeredFolder' | 'offeredAt' | 'downloadedAt' | 'updatedAt'>;
const NO_OFFER: OfferFields = { offeredVersion: null, offeredFolder: null, offeredAt: null, downloadedAt: null, updatedAt: null };

function offerAfter(prev: DeviceRecord | undefined, o: CheckObservation): OfferFields {
  if (o.offer) {
    const folder = o.offer.folder.toLowerCase();
    const phase = prev && phaseOf(prev);
    // The same offer again (the phone asked before installing): keep when it was offered and downloaded.
    if ((phase === 'offered' || phase === 'downloaded') && prev!.offeredVersion === o.offer.version && prev!.offeredFolder === folder) {
      return { offeredVersion: prev!.offeredVersion, offeredFolder: folder, offeredAt: prev!.offeredAt, downloadedAt: prev!.downloadedAt, updatedAt: null };
    }
    return { offeredVersion: o.offer.version, offeredFolder: folder, offeredAt: o.at, downloadedAt: null, updatedAt: null };
  }
  if (prev?.offeredVersion && prev.offeredVersion === o.version) {
    return { offeredVersion: prev.offeredVersion, offeredFolder: prev.offeredFolder, offeredAt: prev.offeredAt, downloadedAt: prev.downloadedAt, updatedAt: prev.updatedAt ?? o.at };
  }
  // Nothing offered and not the version last offered (the offer was withdrawn, or never made): up to date.
  return NO_OFFER;
}

export function applyCheck(prev: DeviceRecord | undefined, identity: string, o: CheckObservation): DeviceRecord {
  const q = o.request;
  const offer = offerAfter(prev, o);
  // One literal, no spreads: this runs for every check, and spreads of records this wide cost ten times more.
  return {
    identity,
    mac: q.mac,
    serial: q.serial,
    deviceType: q.deviceType,
    vendor: q.vendor,
    model: q.model,
    revision: q.revision,
    locale: q.locale,
    version: o.version,
    // A phone with nobody signed in reports no user: the last one is more use to the admin than a blank.
    userName: q.userName || prev?.userName || '',
    address: o.address,
    firstSeen: prev?.firstSeen ?? o.at,
    lastSeen: o.at,
    offeredVersion: offer.offeredVersion,
    offeredFolder: offer.offeredFolder,
    offeredAt: offer.offeredAt,
    downloadedAt: offer.downloadedAt,
    updatedAt: offer.updatedAt,
    modules: moduleList(q.modules),
    // What the check was told is what today's rules offer it (until they change: app/inventory-judge.ts).
    dueVersion: o.offer?.version ?? null,
    dueFolder: o.offer?.folder.toLowerCase() ?? null,
    dueBlocker: o.offer ? null : (o.blocker ?? null),
  };
}

/** Why a blocked phone gets nothing, and what to do: as the Why's trace says it. */
const BLOCKED: Record<Blocker, string> = {
  'image-missing': 'its rule wants another version, but the files of that version are not in the store: import the package that contains them again.',
  'interim-missing': 'it must first install the interim build, and there is no interim image for its locale: import it (ucupdates import --interim).',
  'no-rule-for-locale': 'there is no rule for its locale, so it reports 0x0/200 and never updates: import the package for its language, or change the phone language.',
};

/** The UTC day (yyyy-MM-dd) of an ISO-8601 UTC time. */
export function utcDay(at: string): string {
  return at.slice(0, 10);
}

/**
 * The UTC day a check at `at` counts its phone as seen on, if it is the phone's first check that day: a new phone, or
 * one last seen on another day. Checks are applied in time order, so counting first checks counts distinct phones.
 */
export function seenDay(prev: Pick<DeviceRecord, 'lastSeen'> | undefined, at: string): string | undefined {
  const day = utcDay(at);
  return prev && utcDay(prev.lastSeen) === day ? undefined : day;
}

/** The `n` UTC days up to and including the day of `now`, oldest first. */
export function lastDays(now: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => utcDay(new Date(now.getTime() - (n - 1 - i) * 24 * HOUR_MS).toISOString()));
}

/**
 * A check read from an old log (an imported audit log) against what the inventory knows: applied when it is newer
 * than the phone's last check; an older one, or the same one imported again, can only tell it was first seen earlier.
 */
export function applyPastCheck(prev: DeviceRecord | undefined, identity: string, o: CheckObservation): { record: DeviceRecord; applied: boolean } {
  if (!prev || o.at > prev.lastSeen) return { record: applyCheck(prev, identity, o), applied: true };
  return { record: o.at < prev.firstSeen ? { ...prev, firstSeen: o.at } : prev, applied: false };
}

/** Whether a download from `address` of a file in `folder` (lower-cased) is this phone fetching its offer. */
export function awaitsDownload(r: DeviceRecord, address: string, folder: string): boolean {
  return phaseOf(r) === 'offered' && r.address === address && r.offeredFolder === folder;
}

export function applyDownload(r: DeviceRecord, at: string): DeviceRecord {
  return { ...r, downloadedAt: at };
}

/** The instants that separate states: last seen before `silentBefore` is silent; a phase begun before `stuckBefore` is stuck. */
export function stateCutoffs(now: Date, t: StateThresholds): { stuckBefore: string; silentBefore: string } {
  return {
    stuckBefore: new Date(now.getTime() - t.stuckHours * HOUR_MS).toISOString(),
    silentBefore: new Date(now.getTime() - t.silentDays * 24 * HOUR_MS).toISOString(),
  };
}

/**
 * The state at `now` and one sentence of reason. It never contradicts the phone's Why (the decision on today's
 * rules): what it says is offered is what the next check gets. `shared`: downloads of its offered image from its
 * address, shared with other phones offered it there (not attributed: said so, and it stays offered).
 */
export function deviceState(r: DeviceRecord, now: Date, t: StateThresholds, shared?: SharedDownload | null): { state: DeviceState; reason: string } {
  const { stuckBefore, silentBefore } = stateCutoffs(now, t);
  const ago = (at: string, unitMs: number) => Math.floor((now.getTime() - Date.parse(at)) / unitMs);
  // Relative, not an instant: the sentence is read in the admin's time zone, which the server does not know.
  const since = (at: string) => {
    const minutes = ago(at, 60_000);
    if (minutes < 1) return 'just now';
    if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
    return minutes < 48 * 60 ? `${Math.floor(minutes / 60)} hours ago` : `${Math.floor(minutes / (24 * 60))} days ago`;
  };
  const runs = r.version || 'no reported version';
  if (r.lastSeen < silentBefore) {
    const next = r.dueVersion ? `; it will be offered ${r.dueVersion} if it checks again` : '';
    return { state: 'silent', reason: `Not seen for ${ago(r.lastSeen, 24 * HOUR_MS)} days (more than ${t.silentDays}); it last reported ${r.version || 'no version'}${next}.` };
  }
  const unknownDownload = shared
    ? ` ${shared.downloads === 1 ? 'A download' : `${shared.downloads} downloads`} of this image came from ${r.address} (the last ${since(shared.lastAt)}), ` +
      `shared by ${shared.phones} phones offered it; which phone is not known.`
    : '';
  switch (phaseOf(r)) {
    case 'current': {
      const withdrawn = r.offeredVersion !== null && r.offeredVersion !== r.version ? ` (the offer of ${r.offeredVersion} was withdrawn)` : '';
      return { state: 'up-to-date', reason: `Runs ${runs}; nothing is offered to it${withdrawn}.` };
    }
    case 'blocked':
      return { state: 'blocked', reason: `Runs ${runs}; ${BLOCKED[r.dueBlocker!]}` };
    case 'behind': {
      const replaced = r.offeredVersion !== null && r.offeredVersion !== r.version ? `, instead of ${r.offeredVersion} offered at its last check` : '';
      return { state: 'behind', reason: `Runs ${runs}; will be offered ${r.dueVersion} at its next check${replaced}.` };
    }
    case 'updated':
      return { state: 'updated', reason: `Installed ${r.version}, offered ${since(r.offeredAt!)}; first reported it ${since(r.updatedAt!)}.` };
    case 'downloaded':
      return r.downloadedAt! < stuckBefore
        ? { state: 'stuck', reason: `Downloaded ${r.offeredVersion} ${since(r.downloadedAt!)} but still reports ${r.version}.` }
        : { state: 'downloaded', reason: `Downloaded ${r.offeredVersion} ${since(r.downloadedAt!)}; it has not reported it yet.` };
    case 'offered':
      return r.offeredAt! < stuckBefore
        ? {
            state: 'stuck',
            reason: shared
              ? `Offered ${r.offeredVersion} ${since(r.offeredAt!)} and still reports ${r.version}.${unknownDownload}`
              : `Offered ${r.offeredVersion} ${since(r.offeredAt!)} and never downloaded it.`,
          }
        : { state: 'offered', reason: `Offered ${r.offeredVersion} ${since(r.offeredAt!)}; ${shared ? `not known to have downloaded it.${unknownDownload}` : 'not downloaded yet.'}` };
  }
}
