// 7-Zip for update packages: list and extract cabinets with 7zip-bin's 7za (or the system's, USE_SYSTEM_7ZA=true).
//
// We spawn 7za ourselves (argument array, no shell) and hand the child to node-7z only to parse its output. The reason
// is the exit code: node-7z reports an error only when 7za writes to stderr, but 7za lists a truncated cab with exit
// code 2 and the error on stdout, stderr empty. So success here means exit code 0, never just node-7z's `end`.
//
// Measured with p7zip 16.02 (7zip-bin 5.1.1) and 7-Zip 26.02 (Debian) on MSZIP and stored cabs made by gcab:
// `7za x` exits 2 with "ERROR: Data Error : <file>" or "Unexpected end of archive" on every truncated or corrupted
// cab that `7za t` caught, and `t` caught nothing more (both miss damage to names and dates in the CFFILE table, which
// has no checksum). p7zip still leaves full-size garbage files behind, so always extract into staging. `t` costs
// 15-40% of `x` on incompressible data and 80-90% on compressible data: an import of t + x + hash + fsync took
// 1.25-1.35x of `7za x` + sha256sum + sync, and 0.8-0.9x without `t`. So imports rely on `x` alone (its exit code,
// then a size check of every extracted file).
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import sevenBin from '7zip-bin';
import Seven from 'node-7z';

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

let checkedBinary: string | undefined;

/** 7zip-bin's 7za, made executable if the package lost its execute bit (7zip-bin 5.2.0 ships it that way). */
function binary(): string {
  const bin = sevenBin.path7za;
  if (checkedBinary === bin || !isAbsolute(bin)) return bin;
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    chmodSync(bin, statSync(bin).mode | 0o111);
  }
  checkedBinary = bin;
  return bin;
}

export async function listArchive(file: string): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  await run(['l', '-slt', '-y', '--', resolve(file)], (child) => Seven.list(file, { $defer: true, $childProcess: child, techInfo: true }), {
    onData: (d) => {
      const info = (d as { techInfo?: Map<string, string> }).techInfo;
      const path = info?.get('Path');
      if (!info || path === undefined) return;
      entries.push({
        path,
        size: Number(info.get('Size') ?? 0),
        isDir: info.get('Folder') === '+' || /^D/.test(info.get('Attributes') ?? ''),
        modified: parseModified(info.get('Modified')),
      });
    },
  });
  return entries;
}

/** Extracts with full paths into destDir, overwriting. On failure destDir holds garbage: extract into staging. */
export async function extractArchive(file: string, destDir: string, onProgress?: Progress): Promise<void> {
  const args = ['x', '-bsp1', '-bb1', '-y', `-o${resolve(destDir)}`, '--', resolve(file)];
  await run(args, (child) => Seven.extractFull(file, destDir, { $defer: true, $childProcess: child }), { onProgress });
}

/** "2009-03-31 11:25:12" (7-Zip 26 may add a fraction) as local time. */
export function parseModified(text: string | undefined): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(text ?? '');
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s);
}

interface RunHooks {
  onData?: (data: unknown) => void;
  onProgress?: Progress | undefined;
}

type Deferred = (child: ReturnType<typeof spawn>) => Seven.ZipStream;

function run(args: string[], parse: Deferred, hooks: RunHooks): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const bin = binary();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stderr = '';
    let stdoutTail = '';
    let spawnError: Error | undefined;
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-8192)));
    child.stdout.on('data', (b: Buffer) => (stdoutTail = (stdoutTail + b.toString()).slice(-8192)));
    child.on('error', (e) => (spawnError = e));

    const stream = parse(child);
    if (hooks.onData) stream.on('data', hooks.onData);
    if (hooks.onProgress) stream.on('progress', (p) => hooks.onProgress?.(p.percent));
    // Errors are judged from the exit code below; this listener only keeps node-7z's event from throwing.
    stream.on('error', () => {});
    stream.on('end', () => {
      if (spawnError) reject(new Error(`7-Zip could not be started (${bin}): ${spawnError.message}`));
      else if (child.exitCode === 0) resolvePromise();
      else reject(archiveError(child.exitCode, child.signalCode, stderr, stdoutTail));
    });
    Seven.listen(stream);
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
  const what = /unexpected end/i.test(all)
    ? 'The archive is truncated (incomplete): the upload or download was probably cut short'
    : /data error|crc failed|headers error|checksum/i.test(all)
      ? 'The archive is corrupt (its data fails the integrity check)'
      : /can ?not open the file as archive|is not archive/i.test(all)
        ? 'The file is not an archive 7-Zip can read'
        : /no such file|no more files|cannot find/i.test(all)
          ? 'The archive file could not be found'
          : `7-Zip failed (${signal ? `signal ${signal}` : `exit code ${code}`})`;
  return new Error(detail ? `${what}. 7-Zip said: ${detail}` : `${what}.`);
}
