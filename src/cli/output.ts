// How the CLI talks: tables for people, JSON for scripts, and one exit code per kind of error.
import type { ErrorCode } from '../shared/errors.js';
import { AppError } from '../server/app/app-error.js';
import { StoreBusy, StoreUnavailable } from '../server/app/store-contract.js';

export const EXIT: Record<ErrorCode | 'usage', number> = {
  internal: 1,
  usage: 2,
  invalid_input: 2,
  not_found: 3,
  conflict: 4,
  invalid_package: 5,
  unauthenticated: 6,
  forbidden: 6,
  too_large: 7,
  busy: 8,
  rate_limited: 8,
};

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined || v === '' ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** Prints an error in words and returns the exit code for it. */
export function reportError(e: unknown): number {
  if (e instanceof AppError) {
    process.stderr.write(`ucupdates: ${e.message}\n`);
    return EXIT[e.code];
  }
  // The store's own sentences (a pool's database unreachable or busy): said as they are, like the console says them.
  if (e instanceof StoreUnavailable || e instanceof StoreBusy) {
    process.stderr.write(`ucupdates: ${e.message}\n`);
    return EXIT.busy;
  }
  process.stderr.write(`ucupdates: ${inWords(e)}\n`);
  return EXIT.internal;
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'part of its path is a file, not a folder',
  ENOSPC: 'the disk is full',
  EROFS: 'the disk is read-only',
};

/** Anything not said by our own use cases: a file Node could not use, or (a bug) whatever it was, to report. */
function inWords(e: unknown): string {
  const err = e as NodeJS.ErrnoException | null;
  const problem = FILE_PROBLEMS[err?.code ?? ''];
  if (problem && err?.path) return `Cannot use ${err.path}: ${problem}; check the path and the rights of the account running ucupdates.`;
  // Our own infrastructure speaks in sentences (storage-problem.ts); a system code without one is named.
  if (err instanceof Error && !err.code && err.constructor === Error) return err.message;
  return `Something unexpected failed (${err?.code ?? (err as Error | null)?.name ?? 'error'}: ${err?.message ?? String(e)}): please report it with the command that was run.`;
}
