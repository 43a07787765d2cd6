// Whether a package may be unpacked here, decided from its listing before anything is extracted: its total size
// against the maxUnpackedMB bound (a small cab of zeros can declare gigabytes), then against the free space of the
// data folder's disk, so that an import never fills the disk the phones' service runs on.
import { mb } from './package-layout.js';

/** Kept free beyond the package: the database, the logs and the phones' uploads need room too. */
export const FREE_SPACE_MARGIN = 256 * 1024 * 1024;

/** What `7za x` writes: every listed file (a duplicate is written, then overwritten, so counting it is safe). */
export function unpackedBytes(entries: readonly { size: number; isDir: boolean }[]): number {
  return entries.reduce((n, e) => (e.isDir ? n : n + e.size), 0);
}

/** The refusal, in one sentence, or undefined when the package may be unpacked. */
export function unpackRefusal(unpacked: number, limitMB: number, freeBytes: number): string | undefined {
  if (unpacked > limitMB * 1024 * 1024) {
    return `This package unpacks to ${mb(unpacked)}, more than the ${limitMB} MB allowed (setting maxUnpackedMB); nothing was extracted.`;
  }
  if (freeBytes < unpacked + FREE_SPACE_MARGIN) {
    return `Disk full: this package unpacks to ${mb(unpacked)}, but the data folder's disk has ${mb(freeBytes)} free and ${mb(FREE_SPACE_MARGIN)} must stay free; nothing was extracted.`;
  }
  return undefined;
}
