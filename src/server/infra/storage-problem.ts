// Failures of the data folder in words an admin can act on: a damaged database, a folder or file that cannot be
// written, a full disk. SQLite and Node name these by codes (and a full disk sometimes only as "disk I/O error"),
// so the file system is asked when the code alone does not say.
import { accessSync, constants, statfsSync } from 'node:fs';
import { dirname } from 'node:path';

export type StorageProblem = 'full' | 'damaged' | 'read-only';

/** Free space below which a failed write is put down to a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

export function storageProblem(e: unknown, path: string): StorageProblem | undefined {
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return 'full';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return 'damaged';
  if (['EROFS', 'EACCES', 'EPERM'].includes(code) || code.startsWith('SQLITE_READONLY')) return 'read-only';
  if (!/^(SQLITE_IOERR|SQLITE_CANTOPEN|ENOENT)/.test(code)) return undefined;
  const existing = nearestExisting(path);
  if (!existing) return undefined;
  if (freeBytes(existing) < NEARLY_FULL_BYTES) return 'full';
  return writable(existing) ? undefined : 'read-only';
}

/** The error as one sentence that says what to do, when it is a storage problem; otherwise the error itself. */
export function inWords(e: unknown, path: string): unknown {
  const where = (e as NodeJS.ErrnoException | null)?.path ?? path;
  const detail = (e as Error | null)?.message ?? String(e);
  switch (storageProblem(e, where)) {
    case 'full':
      return new Error(`The disk holding ${where} is full: free some space on it (old logs under Logs can go) and start ucupdates again.`);
    case 'damaged':
      return new Error(`The database ${where} is damaged (${detail}): restore it from a backup, or move it aside so that ucupdates starts with an empty one.`);
    case 'read-only':
      return new Error(`${where} cannot be written (${detail}): give the account that runs it write access to the data folder and everything in it, or choose another folder with --data.`);
    default:
      return e;
  }
}

function nearestExisting(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      accessSync(p, constants.F_OK);
      return p;
    } catch {
      if (dirname(p) === p) return undefined;
    }
  }
}

/** Bytes free to us on the disk holding path; Infinity when that cannot be told (then nothing is refused for it). */
export function freeBytes(path: string): number {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
