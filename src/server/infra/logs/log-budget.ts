// One disk budget (logMaxTotalMB) for everything under Logs/: the daily writers' parts and the phones' uploads.
// Bytes are charged synchronously before they are queued (a counter: the request path never waits), so what is on
// disk never exceeds the budget; room is made in the background by deleting whole files, oldest first, never one a
// writer or an upload holds open. When nothing more can go, a charge is refused and the caller drops (and counts).
import { readdir, stat, unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';

export interface LogLimits {
  /** Everything under the root together. */
  maxBytes: number;
  /** Files in `agedDirs` last written longer ago are deleted. */
  maxAgeDays: number;
}

export interface LogBudgetOptions {
  root: string;
  /** Read at every charge, so a changed setting applies at once. */
  limits: () => LogLimits;
  /** Folders whose files go after maxAgeDays (phone uploads have their own retention, by their index). */
  agedDirs: readonly string[];
  clock?: () => Date;
  /** Files the budget or the age retention deleted. */
  onDeleted?: (paths: string[]) => void;
  onError?: (err: unknown) => void;
}

/** Suffix of an upload being written; left by a crash, it is deleted by the first pass after a start. */
export const PARTIAL_SUFFIX = '.partial';
/** A day's log is split into parts of a sixteenth of the budget, so that whole old parts can always make room. */
export const PARTS_PER_BUDGET = 16;

const DAY_MS = 86_400_000;
const STAT_BATCH = 64;
const HOUR_MS = 3_600_000;

interface Tracked {
  size: number;
  /** Last charged (or, found at start, last modified): deletions go by it, oldest first. */
  at: number;
  holds: number;
}

export class LogBudget {
  readonly #opts: LogBudgetOptions;
  readonly #clock: () => Date;
  readonly #files = new Map<string, Tracked>();
  #used = 0;
  #reclaiming: Promise<void> | undefined;
  /** The last pass could not make room: do not sort every file again at every line until something changes. */
  #stuck = false;

  constructor(options: LogBudgetOptions) {
    this.#opts = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  get usedBytes(): number {
    return this.#used;
  }

  get partBytes(): number {
    return Math.floor(this.#opts.limits().maxBytes / PARTS_PER_BUDGET);
  }

  /** The bytes charged to a file (or found in it at start); 0 for a file the budget does not know. */
  sizeOf(path: string): number {
    return this.#files.get(path)?.size ?? 0;
  }

  /** The names of the known files in one folder. */
  namesIn(dir: string): string[] {
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    const names: string[] = [];
    for (const path of this.#files.keys()) {
      if (path.startsWith(prefix) && !path.includes(sep, prefix.length)) names.push(path.slice(prefix.length));
    }
    return names;
  }

  /** Counts `bytes` about to be written to `path`; false (nothing counted) when they do not fit the budget. */
  charge(path: string, bytes: number): boolean {
    const { maxBytes } = this.#opts.limits();
    if (this.#used + bytes > maxBytes) {
      this.#reclaimSoon();
      return false;
    }
    const f = this.#track(path);
    f.size += bytes;
    f.at = this.#clock().getTime();
    this.#used += bytes;
    this.#reclaimIfLow(maxBytes);
    return true;
  }

  /** Gives back bytes charged but never written (dropped lines, a failed upload). */
  refund(path: string, bytes: number): void {
    const f = this.#files.get(path);
    if (!f) return;
    const back = Math.min(bytes, f.size);
    f.size -= back;
    this.#used -= back;
    this.#stuck = false;
  }

  /** A held file (open for writing) is never deleted by the budget. */
  hold(path: string): void {
    this.#track(path).holds++;
  }

  release(path: string): void {
    const f = this.#files.get(path);
    if (!f) return;
    f.holds = Math.max(0, f.holds - 1);
    if (f.holds === 0 && f.size === 0) this.#files.delete(path);
    // A part the writer has let go of can make room now, not only at the next charge.
    this.#stuck = false;
    this.#reclaimIfLow(this.#opts.limits().maxBytes);
  }

  /** Deletes these files now (their owner's retention) and stops counting them. */
  async remove(paths: readonly string[]): Promise<void> {
    for (const path of paths) await this.#delete(path);
  }

  /**
   * Deletes the oldest files nobody holds until a part's worth of room (or `bytes`, if more) is free, or nothing
   * more can go. One pass at a time, in order; an upload that did not fit awaits one and tries once more.
   */
  reclaim(bytes = 0): Promise<void> {
    const pass = (this.#reclaiming ?? Promise.resolve()).catch(() => undefined).then(() => this.#reclaimPass(bytes));
    this.#reclaiming = pass;
    const settled = () => void (this.#reclaiming === pass && (this.#reclaiming = undefined));
    pass.then(settled, settled);
    return pass;
  }

  /**
   * Learns what is under the root (files found at start count against the budget; uploads a crash left half
   * written are deleted), then applies age and size at once: the first pass after a restart. Call it before the
   * writers start.
   */
  async start(): Promise<void> {
    let entries;
    try {
      entries = await readdir(this.#opts.root, { recursive: true, withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const stale: string[] = [];
    const found: string[] = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      (e.name.endsWith(PARTIAL_SUFFIX) ? stale : found).push(join(e.parentPath, e.name));
    }
    // A few at a time: one by one, a folder of 100,000 uploads would delay the start by seconds.
    for (let i = 0; i < found.length; i += STAT_BATCH) {
      await Promise.all(found.slice(i, i + STAT_BATCH).map((path) => this.#found(path)));
    }
    await Promise.all(stale.map((p) => unlink(p).catch(() => undefined)));
    await this.pruneOld();
    await this.reclaim();
  }

  /** Deletes the files of the aged folders last written more than maxAgeDays ago. */
  async pruneOld(): Promise<void> {
    const cutoff = this.#clock().getTime() - this.#opts.limits().maxAgeDays * DAY_MS;
    const dirs = this.#opts.agedDirs.map((d) => (d.endsWith(sep) ? d : d + sep));
    const old = [...this.#files].filter(([path, f]) => f.holds === 0 && f.at < cutoff && dirs.some((d) => path.startsWith(d)));
    const deleted: string[] = [];
    for (const [path] of old.sort(byAge)) if (await this.#delete(path)) deleted.push(path);
    this.#reportDeleted(deleted);
  }

  /** Age retention every hour in the background (the size is kept at every charge); returns what stops it. */
  startRetention(intervalMs = HOUR_MS): () => void {
    const timer = setInterval(() => void this.pruneOld().catch((err: unknown) => this.#opts.onError?.(err)), intervalMs);
    timer.unref(); // housekeeping must not keep the process alive
    return () => clearInterval(timer);
  }

  async #found(path: string): Promise<void> {
    try {
      const s = await stat(path);
      if (this.#files.has(path)) return;
      this.#files.set(path, { size: s.size, at: s.mtimeMs, holds: 0 });
      this.#used += s.size;
    } catch {
      // Deleted meanwhile.
    }
  }

  #track(path: string): Tracked {
    let f = this.#files.get(path);
    if (!f) this.#files.set(path, (f = { size: 0, at: this.#clock().getTime(), holds: 0 }));
    return f;
  }

  /** `maxBytes`: the caller's reading of the limits (a charge, once per log line, reads them once). */
  #reclaimIfLow(maxBytes: number): void {
    if (maxBytes - this.#used < maxBytes / PARTS_PER_BUDGET) this.#reclaimSoon();
  }

  #reclaimSoon(): void {
    if (this.#stuck || this.#reclaiming) return;
    void this.reclaim().catch((err: unknown) => this.#opts.onError?.(err));
  }

  async #reclaimPass(bytes: number): Promise<void> {
    // A macrotask later: the writes that triggered this pass are queued first, and their files' times are current.
    await new Promise((resolve) => setImmediate(resolve));
    const headroom = () => {
      const { maxBytes } = this.#opts.limits();
      return maxBytes - this.#used >= Math.max(bytes, maxBytes / PARTS_PER_BUDGET);
    };
    if (headroom()) return;
    const candidates = [...this.#files].filter(([, f]) => f.holds === 0).sort(byAge);
    const deleted: string[] = [];
    for (const [path] of candidates) {
      if (headroom()) break;
      if (this.#files.get(path)?.holds === 0 && (await this.#delete(path))) deleted.push(path);
    }
    this.#stuck = !headroom();
    this.#reportDeleted(deleted);
  }

  async #delete(path: string): Promise<boolean> {
    try {
      await unlink(path);
    } catch (err) {
      // Already gone counts as deleted; anything else (in use on Windows) is left for a later pass.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
    const f = this.#files.get(path);
    if (f) {
      this.#used -= f.size;
      this.#files.delete(path);
    }
    return true;
  }

  #reportDeleted(paths: string[]): void {
    if (paths.length === 0) return;
    try {
      this.#opts.onDeleted?.(paths);
    } catch (err) {
      this.#opts.onError?.(err);
    }
  }
}

function byAge([pa, a]: [string, Tracked], [pb, b]: [string, Tracked]): number {
  return a.at - b.at || (pa < pb ? -1 : pa > pb ? 1 : 0);
}
