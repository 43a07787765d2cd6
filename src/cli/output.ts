// How the CLI talks: tables for people, JSON for scripts, and one exit code per kind of error.
import type { ErrorCode } from '../shared/errors.js';
import { AppError } from '../server/app/app-error.js';

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
  process.stderr.write(`ucupdates: ${(e as Error)?.message ?? String(e)}\n`);
  return EXIT.internal;
}
