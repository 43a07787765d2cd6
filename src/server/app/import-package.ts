// Importing an update package: all or nothing. Files are extracted to a staging folder (a cab in one 7-Zip pass),
// validated, hashed while made durable in one pass, and moved into the content-addressed blob store; then one
// transaction records the package, its files and the rules.
// A crash before that transaction leaves only unreferenced blobs and a staging folder, which the next start removes.
import { copyFile, lstat, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { ImportPhase, ImportSummary } from '../../shared/admin-api.js';
import { compareVersions, type Version } from '../../shared/version.js';
import { ruleKeyPath, type RuleKey } from '../domain/device.js';
import { INTERIM_VERSION } from '../domain/update-decision.js';
import { interimImageProblems } from '../domain/interim-image.js';
import { parsePackageLayout, parseUpdateInfo, type PackageLayout } from '../domain/package-layout.js';
import { FREE_SPACE_MARGIN, unpackedBytes, unpackRefusal } from '../domain/unpack-room.js';
import { locateCabinet } from '../infra/cab-locate.js';
import { freeBytes } from '../infra/storage-problem.js';
import { hashAndSync, hashFile, type Hashed } from '../infra/file-store.js';
import { extractArchive, listArchive, type ArchiveEntry } from '../infra/seven-zip.js';
import { AppError } from './app-error.js';
import { locateInterimFolder } from './interim-folder.js';
import type { Store } from './store.js';
import type { Repos } from './store-contract.js';

/**
 * package: UCUpdates.cab/.exe; interim: the OCPE interim image, a cab or a folder (see interim-folder.ts); tree: an
 * existing DeviceUpdateFiles folder.
 */
export type ImportKind = 'package' | 'interim' | 'tree';

export interface ImportOptions {
  fileName: string;
  actor: string;
  kind: ImportKind;
  onProgress?: (phase: ImportPhase, percent: number) => void;
}

const LIMITS = { maxFiles: 20_000, maxFileBytes: 2 * 1024 ** 3 };

interface StagedFile {
  relPath: string;
  absPath: string;
  size: number;
  modified: Date | undefined;
}

export async function importPackage(store: Store, file: string, opts: ImportOptions): Promise<ImportSummary> {
  const progress = opts.onProgress ?? (() => {});
  const info = await stat(file).catch(() => {
    throw new AppError('not_found', `There is no file or folder "${file}".`);
  });
  // A folder is read in place (copied through staging); the interim image comes as a cab or as a folder.
  const fromFolder = opts.kind === 'tree' || (opts.kind === 'interim' && info.isDirectory());
  if (fromFolder ? !info.isDirectory() : !info.isFile()) {
    throw new AppError('invalid_input', opts.kind === 'tree' ? `"${file}" is not a folder.` : `"${file}" is not a file.`);
  }
  const settings = await store.settings.read();
  const limits = { ...LIMITS, maxTotalBytes: settings.maxUnpackedMB * 1024 * 1024 };

  const staging = join(store.paths.stagingDir, `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(staging, { recursive: true });
  try {
    progress('locating', 0);
    let entries: ArchiveEntry[] = [];
    let root: string;
    // The store path of `root`: a folder below OCInterim is stored under it.
    let prefix = '';
    let packageSha: string;
    let cabPath: string | undefined;
    let packageKind: 'cab' | 'exe' | 'interim' | 'tree';
    if (opts.kind === 'tree') {
      root = resolve(file);
      // The server's own Logs folder sits beside the images in a DeviceUpdateFiles tree: not part of the store.
      entries = (await walk(root)).filter((e) => !/^logs(\/|$)/i.test(e.path));
      packageSha = await treeDigest(root, '', entries);
      packageKind = 'tree';
    } else if (fromFolder) {
      ({ base: root, prefix } = await locateInterimFolder(file));
      entries = await walk(root, { prefix, strict: true });
      packageSha = await treeDigest(root, prefix, entries);
      packageKind = 'interim';
    } else {
      const [sha, cab] = await Promise.all([hashFile(file), locateCabinet(file, staging).catch(toPackageError)]);
      packageSha = sha.sha256;
      cabPath = cab.cabPath;
      packageKind = opts.kind === 'interim' ? 'interim' : cab.embedded ? 'exe' : 'cab';
      root = join(staging, 'x');
    }
    const existing = await store.packages.findBySha(packageSha);
    if (existing) return await reimport(store, existing.id, existing.packageVersion, opts);
    if (cabPath) entries = await listArchive(cabPath).catch(toPackageError);

    // Judged from the listing first, so that a package too big or bad is refused before anything is extracted.
    const refusal = unpackRefusal(unpackedBytes(entries), settings.maxUnpackedMB, freeBytes(staging));
    if (refusal) throw new AppError('too_large', refusal);
    const layout = validate(entries, limits, opts.kind, fromFolder);
    if (cabPath) {
      progress('extracting', 0);
      await extractArchive(cabPath, root, (p) => progress('extracting', p)).catch(async (e: unknown) => {
        await refuseIfDiskFull(e, staging);
        return toPackageError(e);
      });
    }
    const staged = await checkStaged(root, prefix, layout, entries);
    const packageVersion = await readPackageVersion(root, layout);

    progress('storing', 0);
    // The extracted files are hashed while their data goes to the disk in one pass, so that put neither reads them
    // again nor waits for each file's flush; a folder's files are copied, hashed and flushed one by one by put.
    let hashed = new Map<string, Hashed>();
    if (cabPath) {
      hashed = await hashAndSync(staged.map((f) => f.absPath)).catch(async (e: unknown) => {
        await refuseIfDiskFull(e, staging);
        throw e;
      });
    }
    const totalBytes = staged.reduce((n, f) => n + f.size, 0) || 1;
    let done = 0;
    const stored = new Map<string, { sha256: string; size: number; timestamp: string }>();
    try {
      for (const [i, f] of staged.entries()) {
        let source = f.absPath;
        if (fromFolder) {
          // The blob store moves files in: never move the admin's own folder away, copy through staging.
          source = join(staging, `tree-${i}`);
          await copyFile(f.absPath, source);
        }
        stored.set(storePath(layout, f.relPath), { ...(await store.blobs.put(source, hashed.get(source))), timestamp: formatTimestamp(f.modified) });
        done += f.size;
        progress('storing', (100 * done) / totalBytes);
      }
    } catch (e) {
      // Blobs stored before the failure are unreferenced: the next start's garbage collection removes them.
      await refuseIfDiskFull(e, staging);
      throw e;
    }

    progress('committing', 0);
    return await commit(store, { layout, stored, packageSha, packageKind, packageVersion, size: fromFolder ? totalBytes : info.size, opts });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function validate(entries: ArchiveEntry[], limits: Parameters<typeof parsePackageLayout>[1], kind: ImportKind, folder: boolean): PackageLayout {
  const r = parsePackageLayout(entries, limits);
  const what = kind === 'interim' && folder ? 'This folder is not a valid interim image' : 'This is not a valid update package';
  if (!r.ok) throw new AppError('invalid_package', `${what}:\n- ${r.errors.join('\n- ')}`);
  if (kind === 'interim' && r.layout.interim.length === 0) {
    throw new AppError('invalid_package', `This ${folder ? 'folder' : 'package'} holds no interim image (OCInterim/<Locale>/CPE.nbt and CPE.cat).`);
  }
  const interimProblems = kind === 'interim' ? interimImageProblems(r.layout.interim) : [];
  if (interimProblems.length > 0) throw new AppError('invalid_package', `${what}:\n- ${interimProblems.join('\n- ')}`);
  if (r.layout.images.length === 0 && r.layout.interim.length === 0) {
    throw new AppError('invalid_package', 'This package holds no device images (<DeviceType>/<Vendor>/<Model>/<Revision>/<Locale>/<Version>/<UpdateType>/).');
  }
  return r.layout;
}

/**
 * Every file the layout names must be a regular file (not a link) inside the root, with the size the listing gave.
 * `prefix` is the root's own store path (a folder below OCInterim), not on disk.
 */
async function checkStaged(root: string, prefix: string, layout: PackageLayout, entries: ArchiveEntry[]): Promise<StagedFile[]> {
  const modified = new Map(entries.map((e) => [e.path, e.modified]));
  const wanted = [...layout.images.flatMap((i) => i.files), ...layout.interim.flatMap((i) => i.files)];
  const out: StagedFile[] = [];
  for (const f of wanted) {
    const abs = onDisk(root, prefix, f.relPath);
    if (!abs.startsWith(root + sep) || relative(root, abs).startsWith('..')) {
      throw new AppError('invalid_package', `The entry "${f.relPath}" points outside the package.`);
    }
    const s = await lstat(abs).catch(() => undefined);
    if (!s?.isFile()) throw new AppError('invalid_package', `"${f.relPath}" is listed in the package but could not be extracted.`);
    if (s.size !== f.size) throw new AppError('invalid_package', `"${f.relPath}" extracted to ${s.size} bytes, but the package lists ${f.size}: the package is damaged.`);
    out.push({ relPath: f.relPath, absPath: abs, size: s.size, modified: modified.get(f.relPath) });
  }
  return out;
}

async function readPackageVersion(root: string, layout: PackageLayout): Promise<string | null> {
  if (!layout.updateInfoPath) return null;
  const text = await readFile(join(root, ...layout.updateInfoPath.split('/')), 'utf8').catch(() => '');
  try {
    return parseUpdateInfo(text).packageVersion ?? null;
  } catch (e) {
    return toPackageError(e);
  }
}

/** Where a file of the package is served from: its path below the wrapper folder, which phones never ask for. */
const storePath = (layout: PackageLayout, relPath: string) => (layout.wrapper ? relPath.slice(layout.wrapper.length + 1) : relPath);

interface CommitInput {
  layout: PackageLayout;
  /** By store path. */
  stored: Map<string, { sha256: string; size: number; timestamp: string }>;
  packageSha: string;
  packageKind: 'cab' | 'exe' | 'interim' | 'tree';
  packageVersion: string | null;
  size: number;
  opts: ImportOptions;
}

function commit(store: Store, c: CommitInput): Promise<ImportSummary> {
  return store.write(async (tx, now) => {
    // Checked again inside the transaction: another process may have imported the same package meanwhile.
    const again = await tx.packages.findBySha(c.packageSha);
    if (again) return { result: alreadyImported(again.id, again.packageVersion) };
    const serving = await interimServedAlready(tx, c);
    if (serving !== undefined) return { result: alreadyImported(serving, c.packageVersion) };
    const packageId = await tx.packages.insert({
      sha256: c.packageSha,
      fileName: c.opts.fileName,
      packageVersion: c.packageVersion,
      size: c.size,
      kind: c.packageKind,
      importedAt: now,
      importedBy: c.opts.actor,
    });
    const conflicts: string[] = [];
    for (const [relPath, f] of c.stored) {
      const pathKey = relPath.toLowerCase();
      const existing = await tx.packages.getStoreFile(pathKey);
      if (existing && existing.sha256 !== f.sha256) conflicts.push(`${relPath} (already in the store with different content)`);
      else await tx.packages.addStoreFile({ pathKey, relPath: existing?.relPath ?? relPath, sha256: f.sha256, size: f.size, timestamp: existing?.timestamp ?? f.timestamp, packageId });
    }
    if (conflicts.length > 0) {
      throw new AppError('conflict', `This package would replace files of versions already in the store; nothing was imported:\n- ${conflicts.slice(0, 20).join('\n- ')}`);
    }

    const summary: ImportSummary = { packageId, alreadyImported: false, packageVersion: c.packageVersion, images: [], interim: [], warnings: [] };
    for (const image of c.layout.images) {
      const ruleId = await tx.rules.ensure(image.key, now);
      await tx.rules.addImage(ruleId, image.version, packageId);
      const rule = (await tx.rules.get(ruleId))!;
      const outcome = landAsPending(rule, image.version);
      if (outcome.next) await tx.rules.setVersions(ruleId, outcome.next, now);
      if (outcome.warning) summary.warnings.push(outcome.warning);
      summary.images.push({ rule: ruleKeyPath(image.key), version: image.version, outcome: outcome.outcome });
    }
    for (const i of c.layout.interim) {
      await tx.packages.setInterim(i.locale, INTERIM_VERSION, packageId);
      summary.interim.push({ locale: i.locale.toUpperCase(), version: INTERIM_VERSION });
    }
    return {
      result: summary,
      history: { actor: c.opts.actor, action: 'import-package', target: c.opts.fileName, details: { packageId, sha256: c.packageSha, images: summary.images, interim: summary.interim } },
    };
  });
}

/**
 * The package is only an interim image that is served already, each locale with exactly these files (imported before
 * as a cab, or from a folder around or inside this one): the package serving it, so that nothing changes.
 */
async function interimServedAlready(store: Repos, c: CommitInput): Promise<number | undefined> {
  if (c.packageKind !== 'interim' || c.layout.images.length > 0) return undefined;
  const served = new Map((await store.packages.listInterim()).map((i) => [i.locale.toUpperCase(), i.packageId]));
  const files = await store.packages.interimFiles();
  const fingerprint = (list: { fileName: string; sha256: string }[]) => list.map((f) => `${f.fileName.toLowerCase()}:${f.sha256}`).sort().join('|');
  let packageId: number | undefined;
  for (const i of c.layout.interim) {
    const locale = i.locale.toUpperCase();
    if (!served.has(locale)) return undefined;
    const have = files.filter((f) => f.locale.toUpperCase() === locale);
    const bringing = i.files.map((f) => ({ fileName: f.fileName, sha256: c.stored.get(storePath(c.layout, f.relPath))!.sha256 }));
    if (fingerprint(have) !== fingerprint(bringing)) return undefined;
    packageId ??= served.get(locale);
  }
  return packageId;
}

type RuleState = { approved: Version | null; pending: Version | null; restore: Version | null } & RuleKey;

/** New versions land as Pending; a version already approved or pending, or older than the pending one, changes nothing. */
function landAsPending(rule: RuleState, version: Version): { outcome: ImportSummary['images'][number]['outcome']; next?: Omit<RuleState, keyof RuleKey>; warning?: string } {
  const path = ruleKeyPath(rule);
  if (rule.approved && compareVersions(rule.approved, version) === 0) return { outcome: 'already-approved' };
  if (rule.pending && compareVersions(rule.pending, version) === 0) return { outcome: 'already-pending' };
  if (rule.pending && compareVersions(rule.pending, version) > 0) return { outcome: 'kept' };
  const warning =
    rule.approved && compareVersions(version, rule.approved) < 0
      ? `${path}: ${version} is older than the approved ${rule.approved}; approving it would downgrade phones.`
      : undefined;
  return { outcome: 'pending', next: { approved: rule.approved, pending: version, restore: rule.restore }, warning };
}

/**
 * The package is in the store already: nothing is extracted or copied, but its versions that are neither approved
 * nor pending land as pending again, as a fresh upload would (after a rejection or a roll back, uploading the
 * package again is how an admin offers that version once more).
 */
function reimport(store: Store, packageId: number, packageVersion: string | null, opts: ImportOptions): Promise<ImportSummary> {
  return store.write(async (tx, now) => {
    const summary = alreadyImported(packageId, packageVersion);
    for (const { ruleId, version } of await tx.rules.imagesOfPackage(packageId)) {
      const rule = (await tx.rules.get(ruleId))!;
      const outcome = landAsPending(rule, version);
      if (outcome.next) await tx.rules.setVersions(ruleId, outcome.next, now);
      if (outcome.warning) summary.warnings.push(outcome.warning);
      summary.images.push({ rule: ruleKeyPath(rule), version, outcome: outcome.outcome });
    }
    const changed = summary.images.filter((i) => i.outcome === 'pending');
    return {
      result: summary,
      history: changed.length === 0 ? [] : { actor: opts.actor, action: 'reimport-package', target: opts.fileName, details: { packageId, images: changed } },
    };
  });
}

function alreadyImported(packageId: number, packageVersion: string | null): ImportSummary {
  return { packageId, alreadyImported: true, packageVersion, images: [], interim: [], warnings: [] };
}

/**
 * A write that failed for want of room becomes "disk full", said plainly (staging is removed by the caller). p7zip
 * 16.02 says only "E_FAIL" on a full disk: a failure that leaves less than the margin free is taken for one too (the
 * margin was free, beyond the package, when extraction started).
 */
async function refuseIfDiskFull(e: unknown, dir: string): Promise<void> {
  if (e instanceof AppError) return;
  const full = (e as NodeJS.ErrnoException).code === 'ENOSPC' || freeBytes(dir) < FREE_SPACE_MARGIN;
  if (full) throw new AppError('too_large', "Disk full: the data folder's disk ran out of room while the package was being unpacked or stored; nothing was imported.");
}

function toPackageError(e: unknown): never {
  if (e instanceof AppError) throw e;
  throw new AppError('invalid_package', (e as Error).message);
}

/** OCS logged file times as dd-MM-yyyy HH:mm:ss. */
function formatTimestamp(d: Date | undefined): string {
  if (!d || Number.isNaN(d.getTime())) return '01-01-1601 00:00:00';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getDate())}-${p(d.getMonth() + 1)}-${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const onDisk = (root: string, prefix: string, relPath: string) => resolve(root, ...relPath.slice(prefix.length).split('/'));

/**
 * A folder's files and subfolders as a listing, paths as the store will have them (`prefix` first). `strict` refuses
 * symbolic links and anything but files and folders (an interim folder); otherwise they are passed over.
 */
async function walk(root: string, opts: { prefix?: string; strict?: boolean } = {}, rel = ''): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const inFolder = rel ? `${rel}/${e.name}` : e.name;
    const path = `${opts.prefix ?? ''}${inFolder}`;
    if (e.isDirectory()) out.push({ path, size: 0, isDir: true, modified: undefined }, ...(await walk(root, opts, inFolder)));
    else if (e.isFile()) {
      const s = await stat(join(root, inFolder));
      out.push({ path, size: s.size, isDir: false, modified: s.mtime });
    } else if (opts.strict) {
      const what = e.isSymbolicLink() ? 'a symbolic link: copy the files themselves into the folder' : 'neither a file nor a folder';
      throw new AppError('invalid_package', `"${path}" is ${what}.`);
    }
  }
  return out;
}

/** A folder has no file hash: its identity is the hash of its files' (store) paths and hashes. */
async function treeDigest(root: string, prefix: string, entries: ArchiveEntry[]): Promise<string> {
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256');
  for (const e of entries.filter((x) => !x.isDir).sort((a, b) => (a.path < b.path ? -1 : 1))) {
    h.update(`${e.path}\0${(await hashFile(onDisk(root, prefix, e.path))).sha256}\n`);
  }
  return h.digest('hex');
}
