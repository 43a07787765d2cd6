// A child process's memory as the system counts it (Linux /proc): resident now and at its peak, in MB.
import { readFileSync } from 'node:fs';

export interface Rss {
  rssMB: number;
  peakMB: number;
}

/** The resident set of process `pid` (VmRSS) and its high-water mark (VmHWM); undefined where /proc is not there. */
export function rssOf(pid: number | undefined): Rss | undefined {
  if (pid === undefined) return undefined;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}
