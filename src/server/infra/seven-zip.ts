// 7-Zip for update packages: list and extract cabinets with the system's 7za (Debian's p7zip-full, /usr/bin/7za) when
// present, else 7zip-bin's bundled one (p7zip 16.02). USE_SYSTEM_7ZA=true runs the 7za on PATH, =false the bundled one.
//
// We spawn 7za ourselves (argument array, no shell) and read its output ourselves. The exit code decides: 7za lists a
// truncated cab with exit code 2 and the error on stdout, stderr empty. A listing is read whole (bounded) before it is
// parsed: node-7z's line splitting reported an entry twice whenever an output chunk ended at a newline, so a
// 20,003-file cab was refused 4 times in 5 as holding duplicates.
//
// Measured with p7zip 16.02 (7zip-bin 5.1.1) and 7-Zip 26.02 (Debian) on MSZIP and stored cabs made by gcab:
// `7za x` exits 2 with "ERROR: Data Error : <file>" or "Unexpected end of archive" on every truncated or corrupted
// cab that `7za t` caught, and `t` caught nothing more (both miss damage to names and dates in the CFFILE table, which
// has no checksum). p7zip still leaves full-size garbage files behind, so always extract into staging. `t` costs
// 15-40% of `x` on incompressible data and 80-90% on compressible data: an import of t + x + hash + fsync took
// 1.25-1.35x of `7za x` + sha256sum + sync, and 0.8-0.9x without `t`. So imports rely on `x` alone (its exit code,
// then a size check of every extracted file). On a full disk 7-Zip 26 says "errno=28 : No space left on device",
// p7zip 16.02 only "ERROR: E_FAIL" (exit code 2 both).
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import sevenBin from '7zip-bin';

export interface ArchiveEntry {
  /** As 7za reports it, with forward slashes; raw, so possibly "../x": sanitise before building a path from it. */
  path: string;
  size: number;
  isDir: boolean;
  /**
   * The time stored in the archive, read as local time. Cab times carry no zone, so the local getters (getHours ...)
   * give back exactly the time Microsoft wrote. Prefer it to an extracted file's mtime: 7-Zip 26 converts with today's
   * UTC offset, so across a daylight-saving change the mtime is an hour off.
   */
  modified: Date | undefined;
}

type Progress = (percent: number) => void;

const SYSTEM_7ZA = '/usr/bin/7za';
/**
 * A cab holds at most 65,535 files; an import takes at most 20,000, whose -slt blocks (about 120 bytes plus the name,
 * names of at most 256 characters) stay under 20 MB. Beyond this bound the listing is refused, not read.
 */
const MAX_LISTING_BYTES = 32 * 1024 * 1024;
/** The lines after the entries: "Warnings: 1", "Errors: 1". */
const SUMMARY = /^(Warnings|Errors): \d+$/;

let checkedBundled: string | undefined;

/** 7zip-bin's 7za, made executable if the package lost its execute bit (7zip-bin 5.2.0 ships it that way). */
function bundled(): string {
  const bin = sevenBin.path7za;
  if (checkedBundled === bin || !isAbsolute(bin)) return bin;
  if (!isExecutable(bin)) chmodSync(bin, statSync(bin).mode | 0o111);
  checkedBundled = bin;
  return bin;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The system's 7za if there is one, else the bundled one; USE_SYSTEM_7ZA=true or false forces either. */
export function sevenZipBinary(): { path: string; origin: string } {
  const choice = process.env.USE_SYSTEM_7ZA;
  if (choice === 'true') return { path: '7za', origin: 'the 7za on PATH (USE_SYSTEM_7ZA=true)' };
  if (choice !== 'false' && process.platform !== 'win32' && isExecutable(SYSTEM_7ZA)) {
    return { path: SYSTEM_7ZA, origin: `the system's 7-Zip (${SYSTEM_7ZA})` };
  }
  return { path: bundled(), origin: `7zip-bin's bundled 7za, version 16.02${choice === 'false' ? ' (USE_SYSTEM_7ZA=false)' : ''}` };
}

// -tcab: a package is a cabinet (cab-locate sees to it), so 7za opens nothing else, whatever the bytes resemble.
export async function listArchive(file: string): Promise<ArchiveEntry[]> {
  return parseListing(await run(['l', '-slt', '-tcab', '-y', '--', resolve(file)], { keepUpTo: MAX_LISTING_BYTES }));
}

/** Extracts with full paths into destDir, overwriting. On failure destDir holds garbage: extract into staging. */
export async function extractArchive(file: string, destDir: string, onProgress?: Progress): Promise<void> {
  const args = ['x', '-tcab', '-bsp1', '-bb1', '-y', `-o${resolve(destDir)}`, '--', resolve(file)];
  await run(args, { onText: onProgress && progressReader(onProgress) });
}

/**
 * The entries of `7za l -slt` output: after the "----------" line, one block of "Key = Value" lines per entry,
 * blocks separated by blank lines, then a summary ("Warnings: 1"). p7zip 16.02 prints a name's line breaks as they
 * are, so a crafted name can split its block into invented ones: every block must start with its Path and hold each
 * key at most once, so the real Size is never hidden (it lands in the last invented block; the extracted files are
 * checked against the listing anyway). 7-Zip 26 prints such characters as "_".
 */
export function parseListing(text: string): ArchiveEntry[] {
  const lines = text.split(/\r?\n/);
  const start = lines.indexOf('----------');
  if (start < 0) throw new Error('7-Zip\'s listing of the archive has no list of entries.');
  const entries: ArchiveEntry[] = [];
  let block: string[] = [];
  for (const line of [...lines.slice(start + 1), '']) {
    if (line !== '') block.push(line);
    else if (block.length > 0) {
      if (!block.every((l) => SUMMARY.test(l))) entries.push(entryOf(block));
      block = [];
    }
  }
  return entries;
}

function entryOf(block: string[]): ArchiveEntry {
  const info = new Map<string, string>();
  for (const line of block) {
    const m = /^([^=]+?) = (.*)$/.exec(line);
    if (!m || info.has(m[1]!)) throw ambiguous(block);
    info.set(m[1]!, m[2]!);
  }
  const path = info.get('Path');
  const isDir = info.get('Folder') === '+' || /^D/.test(info.get('Attributes') ?? '');
  const size = info.get('Size') ?? (isDir ? '0' : undefined);
  if (block[0] !== `Path = ${path}` || !path || size === undefined || !/^\d+$/.test(size)) throw ambiguous(block);
  return { path, size: Number(size), isDir, modified: parseModified(info.get('Modified')) };
}

function ambiguous(block: string[]): Error {
  const shown = block.join(' | ').replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 200);
  return new Error(`7-Zip's listing of the archive cannot be read unambiguously (an entry name probably holds a line break): "${shown}".`);
}

/** 7-Zip's -bsp1 progress: "  42% 3 - name" between backspaces or line ends. A chunk may end inside one: carried over. */
export function progressReader(onPercent: Progress): (text: string) => void {
  let carry = '';
  return (text) => {
    const parts = (carry + text).split(/[\b\r\n]/);
    // A progress segment is short; a long one (a file name) is kept only as "not progress", so memory stays bounded.
    const last = parts.pop() ?? '';
    carry = last.length > 64 ? '-' : last;
    for (const p of parts) {
      const m = /^ *(\d{1,3})%/.exec(p);
      if (m) onPercent(Math.min(100, Number(m[1])));
    }
  };
}

/** "2009-03-31 11:25:12" (7-Zip 26 may add a fraction) as local time. */
export function parseModified(text: string | undefined): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(text ?? '');
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s);
}

/**
 * Runs 7za to its end and judges it by its exit code. keepUpTo: keep stdout, whole, up to that many bytes (more
 * kills 7za and fails); onText: stdout as it comes.
 */
function run(args: string[], opts: { keepUpTo?: number; onText?: ((text: string) => void) | undefined }): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const bin = sevenZipBinary().path;
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let tooLong = false;
    const decoder = new StringDecoder('utf8');
    let stderr = '';
    let stdoutTail = '';
    let spawnError: Error | undefined;
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-8192)));
    child.stdout.on('data', (b: Buffer) => {
      if (opts.keepUpTo !== undefined && !tooLong) {
        keptBytes += b.length;
        kept.push(b);
        if (keptBytes > opts.keepUpTo) {
          tooLong = true;
          child.kill('SIGKILL');
        }
      }
      const text = decoder.write(b);
      stdoutTail = (stdoutTail + text).slice(-8192);
      opts.onText?.(text);
    });
    child.on('error', (e) => (spawnError = e));
    // 'close' comes after the exit and the end of both streams (and after 'error' when 7za could not start).
    child.on('close', (code, signal) => {
      if (spawnError) reject(new Error(`7-Zip could not be started (${bin}): ${spawnError.message}`));
      else if (tooLong) reject(new Error(`7-Zip's listing of the archive is longer than ${opts.keepUpTo! / 1048576} MB: no update package holds that many entries.`));
      else if (code === 0) resolvePromise(Buffer.concat(kept).toString('utf8'));
      else reject(archiveError(code, signal, stderr, stdoutTail));
    });
  });
}

function archiveError(code: number | null, signal: string | null, stderr: string, stdoutTail: string): Error {
  // 7za puts some errors ("ERRORS:\nUnexpected end of archive") on stdout, so both streams are searched.
  const fromStdout = stdoutTail.split(/\r?\n/).filter((l) => /error|unexpected end|can ?not open|is not archive/i.test(l));
  const detail = [...stderr.split(/\r?\n/), ...fromStdout]
    .map((l) => l.replace(/[\b]+/g, '').trim())
    .filter((l) => l && !/^(ERRORS:|System ERROR:|(Sub items |Open )?Errors: \d|Archives with Errors)/.test(l))
    .filter((l, i, all) => all.indexOf(l) === i)
    .join('; ')
    .slice(0, 600);
  const all = `${stderr}\n${stdoutTail}`;
  // One sentence with what to do; 7-Zip's own words are kept beside it (detail), never shown as the message.
  const error = (message: string, extra: object = {}) => Object.assign(new Error(message), { detail, ...extra });
  if (/no space left on device|errno=28\b/i.test(all)) {
    // Marked like Node's own file errors, so that callers treat both alike.
    return error("Disk full: 7-Zip could not write the extracted files; free space on the data folder's disk and import again.", { code: 'ENOSPC' });
  }
  return error(
    /unexpected end/i.test(all)
      ? 'The archive is truncated (incomplete): the upload or download was probably cut short; download the package again and import the new copy.'
      : /data error|crc failed|headers error|checksum/i.test(all)
        ? 'The archive is corrupt (its data fails the integrity check): download the package again and import the new copy.'
        : /can ?not open the file as archive|is not archive/i.test(all)
          ? 'The file is not an archive 7-Zip can read: import UCUpdates.cab or UCUpdates.exe as Microsoft publishes them.'
          : /no such file|no more files|cannot find/i.test(all)
            ? 'The archive file could not be found: check its path and import again.'
            : `7-Zip could not unpack the archive (${signal ? `signal ${signal}` : `exit code ${code}`}): check that it is a package as Microsoft publishes it, and import again.`,
  );
}
