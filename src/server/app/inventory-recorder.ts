// Records update checks and image downloads into the device inventory without slowing the phone path. A request
// only appends its observation to a bounded buffer; the buffer is applied (domain/device-state.ts) and written in
// slices of SLICE observations in arrival order, a transaction each, one row write per device and slice however often
// it checked in between; the event loop answers phones between slices. Never throws to the
// caller: when the store is busy or unreachable (a pool's database down), observations wait within the bound, and
// what does not fit is dropped and counted; flushes resume by themselves when the store answers again.
// The inventory holds at most maxDevices() phones: past it, phones seen once make room (domain/inventory-cap.ts),
// else new phones are not recorded; both are counted in the store (inventory_overflow) while it stays full.
// A check's answer is its phone's due offer; a check answered on rules that changed before its flush (another
// process's change, not yet seen by the catalog) has its phones judged again in the flush (app/inventory-judge.ts).
import type { DeviceRequest } from '../domain/device.js';
import { applyCheck, applyDownload, awaitsDownload, blockerOf, deviceIdentity, reportedVersion, seenDay, type DeviceRecord } from '../domain/device-state.js';
import { admissible, evictableBefore, evictionsWanted } from '../domain/inventory-cap.js';
import type { Decision } from '../domain/update-decision.js';
import type { DeviceChange, DevicesRepo, Repos, StoreEngine } from './store-contract.js';

type Observation =
  | { kind: 'check'; at: Date; address: string; request: DeviceRequest; decision: Decision; judgedAs: string | undefined }
  | { kind: 'download'; at: Date; address: string; folder: string };

export interface InventoryRecorderOptions {
  /** Observations held while the store cannot be written; more are dropped. Default 50,000. */
  maxBuffered?: number;
  /** How long an observation may wait before it is written. Default 1 s. */
  flushMs?: number;
  /** The most phones the inventory holds (setting inventoryMaxDevices), read at each flush. Default: no cap. */
  maxDevices?: () => number;
  /** Called when a flush finds the inventory at its cap (again: once until it is below it). */
  onFull?: (maxDevices: number) => void;
  /** Called once per outage. */
  onError?: (err: Error) => void;
  /** Judges these phones again on the store's rules, inside the flush's transaction (app/inventory-judge.ts): their
   * checks were answered on other rules than those the inventory was last judged on. Default: never. */
  rejudge?: (tx: Repos, identities: string[]) => Promise<unknown>;
}

/** A flush starts early at this many observations (under load, every few hundred ms): the buffer stays small, and
 * fewer observations live long enough to be moved into V8's old space, which grows the process until collected. */
const EARLY_FLUSH = 1_000;
/**
 * Observations written per transaction. The embedded engine writes synchronously: a slice holds the event loop for its
 * whole write (about 10 ms for this many new phones on a small machine), so a flush of thousands is written slice by
 * slice with the loop free in between (a 5,000-observation transaction held it for 150 ms). Each slice costs a commit:
 * smaller slices would cost throughput.
 */
const SLICE = 250;

/** Lets the event loop run (timers, I/O: phones waiting) before the next slice. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class InventoryRecorder {
  readonly #engine: Pick<StoreEngine, 'transaction' | 'repos'>;
  readonly #max: number;
  readonly #flushMs: number;
  readonly #maxDevices: () => number;
  readonly #onFull: (maxDevices: number) => void;
  readonly #onError: (err: Error) => void;
  readonly #rejudge: ((tx: Repos, identities: string[]) => Promise<unknown>) | undefined;
  /** The flush being written; the next waits for it (one transaction at a time). */
  #flushing: Promise<void> | undefined;
  /** Observations in the flush being written: they count against the bound too. */
  #inFlight = 0;
  #buffer: Observation[] = [];
  #timer: NodeJS.Timeout | undefined;
  #early = false;
  #dropped = 0;
  #failing = false;
  #closed = false;
  #full = false;

  constructor(engine: Pick<StoreEngine, 'transaction' | 'repos'>, opts: InventoryRecorderOptions = {}) {
    this.#engine = engine;
    this.#max = opts.maxBuffered ?? 50_000;
    this.#flushMs = opts.flushMs ?? 1_000;
    this.#maxDevices = opts.maxDevices ?? (() => Infinity);
    this.#onFull = opts.onFull ?? (() => undefined);
    this.#onError = opts.onError ?? (() => undefined);
    this.#rejudge = opts.rejudge;
  }

  /** Observations lost since start: over the bound, in a failed write, or after close(). */
  get droppedObservations(): number {
    return this.#dropped;
  }

  /** `judgedAs`: the key of the rules the decision was made on (the catalog snapshot's), to tell a stale answer. */
  check(at: Date, address: string, request: DeviceRequest, decision: Decision, judgedAs?: string): void {
    this.#push({ kind: 'check', at, address, request, decision, judgedAs });
  }

  /**
   * A firmware file was served. The file request carries no MAC, so it is attributed by a guess (the only place that
   * makes it): to the phone at the same client address that was offered the file's folder and has not downloaded it
   * yet, when it is the only one. Behind NAT or a reverse proxy several phones may be: the download is then not
   * attributed but counted for them all (shared_downloads), and their next check tells which updated. Only a
   * complete GET of the image counts; the .cat catalog beside it does not.
   */
  download(at: Date, address: string, path: string, status: number): void {
    if ((status !== 200 && status !== 206) || /\.cat$/i.test(path)) return;
    this.#push({ kind: 'download', at, address, folder: path.slice(0, path.lastIndexOf('/')).toLowerCase() });
  }

  /** Writes every buffered observation now (after the flush being written, if one is). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#early = false;
    if (this.#buffer.length === 0) return;
    this.#inFlight = this.#buffer.length;
    this.#flushing = this.#write(this.#buffer);
    this.#buffer = [];
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
      this.#inFlight = 0;
    }
  }

  /** Writes the batch slice by slice, yielding to the event loop in between; stops at the first slice that fails. */
  async #write(batch: Observation[]): Promise<void> {
    const max = this.#maxDevices();
    for (let from = 0; from < batch.length; from += SLICE) {
      if (from > 0) await yieldToLoop();
      if (!(await this.#writeSlice(batch.slice(from, from + SLICE), batch, from, max))) return;
      this.#inFlight = Math.max(0, batch.length - from - SLICE);
    }
    this.#failing = false;
    const full = (await this.#engine.repos.devices.count()) >= max;
    if (full && !this.#full) this.#onFull(max);
    this.#full = full;
  }

  /** One transaction; false when it failed (`batch` from `from` on is then kept for the next flush, or dropped). */
  async #writeSlice(slice: Observation[], batch: Observation[], from: number, max: number): Promise<boolean> {
    try {
      const seenDays = new Map<string, number>();
      const stale: string[] = [];
      const rejudge = this.#rejudge;
      await this.#engine.transaction(async (tx) => {
        await tx.devices.write(await apply(tx.devices, slice, max, seenDays, stale), seenDays);
        if (rejudge && stale.length > 0) await rejudge(tx, stale);
      }, { wait: 'unless-blocking', durable: false }); // a power cut loses what the phones tell again at their next check
      return true;
    } catch (err) {
      // Busy (another process is writing) or unreachable (the pool's database): try again at the next flush, within
      // the bound. Anything else would fail again: drop.
      const unwritten = batch.length - from;
      const code = (err as { code?: string }).code;
      if (code === 'STORE_BUSY' || code === 'STORE_UNAVAILABLE') {
        const keep = batch.slice(from).concat(this.#buffer);
        this.#dropped += Math.max(0, keep.length - this.#max);
        this.#buffer = keep.slice(0, this.#max);
        this.#schedule();
      } else this.#dropped += unwritten;
      if (!this.#failing) this.#onError(err instanceof Error ? err : new Error(String(err)));
      this.#failing = true;
      return false;
    }
  }

  /** Observations waiting to be written, the flush being written included (a pool node's status while its database
   * is away). */
  get buffered(): number {
    return this.#buffer.length + this.#inFlight;
  }

  /** Writes what is buffered; later observations are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.flush();
  }

  #push(o: Observation): void {
    if (this.#closed || this.#buffer.length + this.#inFlight >= this.#max) return void this.#dropped++;
    this.#buffer.push(o);
    if (this.#buffer.length >= EARLY_FLUSH && !this.#early) {
      this.#early = true;
      setImmediate(() => void this.flush());
    } else this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => void this.flush(), this.#flushMs);
    this.#timer.unref();
  }
}

/**
 * Makes room for the batch's new phones (`arriving`, distinct, in arrival order) within `max` beside the `known`
 * ones: evicts phones seen once (one DELETE, none of the batch's), and returns the new phones that fit, first come
 * first. Counts in the store what the cap cost, or ends that count when the inventory is below its cap.
 */
async function makeRoom(repo: DevicesRepo, known: ReadonlyMap<string, DeviceRecord>, arriving: readonly string[], max: number, now: string): Promise<Set<string>> {
  const wanted = evictionsWanted(await repo.count(), max, arriving.length);
  const evicted = wanted > 0 ? await repo.evict(evictableBefore(now), wanted, [...known.keys()]) : 0;
  const count = await repo.count();
  const fit = admissible(count, max, arriving.length);
  if (evicted > 0 || fit < arriving.length) await repo.countOverflow(now, evicted, arriving.length - fit);
  else if (count + fit < max) await repo.clearOverflow();
  return new Set(arriving.slice(0, fit));
}

/**
 * Applies observations in arrival order; returns each touched device once, as read and as it ends. New phones are
 * recorded as far as `max` allows (makeRoom); the checks of the others are left out. Counts into `seenDays` the
 * phones checking in for the first time on a UTC day (distinct phones per day, one upsert per day).
 */
async function apply(repo: DevicesRepo, batch: readonly Observation[], max: number, seenDays: Map<string, number>, stale: string[]): Promise<Iterable<DeviceChange>> {
  const touched = new Map<string, DeviceChange>();
  // Stored phones this batch touched, by their stored address: those the store may still list as awaiting a download.
  const touchedAt = new Map<string, number>();
  // Touched records offered a folder, by address and folder: a download in the same batch finds them here.
  const offered = new Map<string, Set<string>>();
  const offerKey = (address: string, folder: string) => `${address}\0${folder}`;
  const current = (identity: string) => touched.get(identity)?.after;
  const set = (before: DeviceRecord | undefined, after: DeviceRecord) => {
    const seen = touched.get(after.identity);
    if (!seen && before) touchedAt.set(before.address, (touchedAt.get(before.address) ?? 0) + 1);
    touched.set(after.identity, { before: seen ? seen.before : before, after });
    if (!after.offeredFolder || !awaitsDownload(after, after.address, after.offeredFolder)) return;
    const key = offerKey(after.address, after.offeredFolder);
    const ids = offered.get(key);
    if (ids) ids.add(after.identity);
    else offered.set(key, new Set([after.identity]));
  };
  const identities = batch.map((o) => (o.kind === 'check' ? deviceIdentity(o.request) : undefined));
  const stored = await repo.findAll(identities.filter((id) => id !== undefined));
  const arriving = new Set(identities.filter((id): id is string => id !== undefined && !stored.has(id)));
  const admitted = arriving.size > 0 ? await makeRoom(repo, stored, [...arriving], max, batch.at(-1)!.at.toISOString()) : arriving;
  const judged = await repo.judgedInputs();
  for (const [i, o] of batch.entries()) {
    const at = o.at.toISOString();
    if (o.kind === 'check') {
      const identity = identities[i];
      if (!identity || (arriving.has(identity) && !admitted.has(identity))) continue;
      const prev = current(identity) ?? stored.get(identity);
      const day = seenDay(prev, at);
      if (day) seenDays.set(day, (seenDays.get(day) ?? 0) + 1);
      const offer = o.decision.offers[0];
      if (o.judgedAs !== undefined && o.judgedAs !== judged) stale.push(identity);
      set(
        prev,
        applyCheck(prev, identity, {
          at,
          address: o.address,
          request: o.request,
          version: offer?.installed ?? reportedVersion(o.request.modules),
          offer: offer ? { version: offer.version, folder: offer.folder } : null,
          blocker: blockerOf(o.decision),
        }),
      );
      continue;
    }
    const key = offerKey(o.address, o.folder);
    const waiting = firstTwo(await candidates(key, o.address, o.folder), (r) => awaitsDownload(r, o.address, o.folder));
    if (waiting.length === 0) continue;
    if (waiting.length > 1) {
      await repo.countSharedDownload(o.address, o.folder, at);
      continue;
    }
    const phone = waiting[0]!;
    offered.get(key)?.delete(phone.identity);
    set(phone, applyDownload(phone, at));
  }
  return touched.values();

  // Stored phones first (offered in earlier batches), as this batch left them; then those offered in this batch.
  // Enough stored ones that two still await it if two do: this batch may have changed some of them.
  async function candidates(key: string, address: string, folder: string): Promise<DeviceRecord[]> {
    const stored = await repo.awaitingDownload(address, folder, 2 + (touchedAt.get(address) ?? 0));
    return [...stored.map((r) => current(r.identity) ?? r), ...[...(offered.get(key) ?? [])].map((id) => current(id)!)];
  }
}

/** Up to two distinct phones that accept: one is the download's phone; two or more, it is not known which. */
function firstTwo(phones: Iterable<DeviceRecord>, accept: (r: DeviceRecord) => boolean): DeviceRecord[] {
  const found: DeviceRecord[] = [];
  for (const r of phones) {
    if (!accept(r) || found.some((f) => f.identity === r.identity)) continue;
    found.push(r);
    if (found.length === 2) break;
  }
  return found;
}
