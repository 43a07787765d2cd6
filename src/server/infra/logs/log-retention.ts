// Keeps the log folders from filling the disk: deletes the oldest log files beyond an age or a total size.
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface RetentionLimits {
  /** Files last modified longer ago are deleted (Infinity: no age limit). */
  maxAgeDays: number;
  /** Oldest files are deleted until all log files of all folders together fit (Infinity: no size limit). */
  maxTotalBytes: number;
}

export interface RetentionOptions {
  /** Default one hour. */
  intervalMs?: number;
  onDeleted?: (paths: string[]) => void;
  onError?: (err: unknown) => void;
  clock?: () => Date;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface LogFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Deletes `.log`/`.jsonl` files older than maxAgeDays, then the oldest ones while the total exceeds
 * maxTotalBytes. The newest file of each folder is never deleted: a writer may have it open (so give each
 * writer its own folder). Missing folders are skipped; a file that cannot be deleted is left for next time.
 */
export async function pruneLogs(dirs: readonly string[], limits: RetentionLimits, now: Date): Promise<{ deleted: string[] }> {
  const candidates: LogFile[] = [];
  let total = 0;
  for (const dir of new Set(dirs)) {
    const files = await listLogs(dir);
    for (const f of files) total += f.size;
    candidates.push(...files.slice(0, -1));
  }
  candidates.sort(byAge);
  const cutoff = now.getTime() - limits.maxAgeDays * DAY_MS;
  const deleted: string[] = [];
  for (const f of candidates) {
    if (f.mtimeMs >= cutoff && total <= limits.maxTotalBytes) break;
    try {
      await unlink(f.path);
    } catch {
      continue;
    }
    total -= f.size;
    deleted.push(f.path);
  }
  return { deleted };
}

/** Prunes now and then every hour in the background; returns the function that stops it. */
export function startRetention(dirs: readonly string[], limits: RetentionLimits, options: RetentionOptions = {}): () => void {
  const clock = options.clock ?? (() => new Date());
  let running = false;
  const run = (): void => {
    if (running) return;
    running = true;
    pruneLogs(dirs, limits, clock())
      .then(({ deleted }) => {
        if (deleted.length > 0) options.onDeleted?.(deleted);
      })
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => (running = false));
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? HOUR_MS);
  timer.unref(); // housekeeping must not keep the process alive
  return () => clearInterval(timer);
}

/** The folder's log files, oldest first. */
async function listLogs(dir: string): Promise<LogFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.(log|jsonl)$/i.test(e.name))
      .map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: LogFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const s = await stat(path);
      files.push({ path, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // Deleted meanwhile.
    }
  }
  return files.sort(byAge);
}

function byAge(a: LogFile, b: LogFile): number {
  return a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}
