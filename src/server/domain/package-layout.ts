// What an update package holds, decided from its listing alone (no I/O), so a bad package is refused before extraction.
//
// Rules (protocol.md section 6):
// - Images: <DeviceType>/<Vendor>/<Model>/<Revision>/<Locale>/<Version>/<UpdateType>/<file>, DeviceType one of
//   UCPhone or RoundTable. The OCPE interim image: OCInterim/<Locale>/<file> (its version is fixed by the protocol).
// - Wrapper folder: when every file sits below one common top folder (e.g. "UCUpdates/") and the tree starts right
//   below it (some second-level folder is UCPhone, RoundTable or OCInterim), that folder is a wrapper and is skipped.
// - updateInfo.xml (any depth, any case, at most one) becomes updateInfoPath. Kept as extras: RTConfig.xml at any depth
//   and any file directly at the package root (read-me files). Any other file outside the tree is an error: a stray
//   file usually means a wrong folder depth.
// - Every problem is reported (a folder's once, not once per file in it), capped at MAX_ERRORS lines.
// - relPath is always the path inside the archive (wrapper included), with forward slashes.
import { childNamed, parseXml } from './xml-tree.js';
import { parseVersion, type Version } from '../../shared/version.js';
import type { RuleKey } from './device.js';

export interface LayoutEntry {
  path: string;
  size: number;
  isDir: boolean;
}

export interface LayoutLimits {
  maxFiles: number;
  maxTotalBytes: number;
  maxFileBytes: number;
}

export interface LayoutFile {
  relPath: string;
  fileName: string;
  size: number;
}

export interface LayoutImage {
  key: RuleKey;
  version: Version;
  files: LayoutFile[];
}

export interface LayoutInterim {
  /** As spelled in the package; compare case-insensitively. */
  locale: string;
  files: LayoutFile[];
}

export interface PackageLayout {
  /** The wrapper folder skipped (see above), if any: the store keeps paths below it. */
  wrapper?: string;
  images: LayoutImage[];
  interim: LayoutInterim[];
  updateInfoPath?: string;
  extras: LayoutFile[];
}

export type LayoutResult = { ok: true; layout: PackageLayout } | { ok: false; errors: string[] };

const DEVICE_TYPES = ['UCPhone', 'RoundTable'];
const INTERIM_FOLDER = 'ocinterim';
const EXTRA_NAMES = ['updateinfo.xml', 'rtconfig.xml'];
const IMAGE_DEPTH = 8;
const LOCALE_RE = /^[A-Za-z]{3}$/;
const MAX_ERRORS = 50;
const TREE = '<DeviceType>/<Vendor>/<Model>/<Revision>/<Locale>/<Version>/<UpdateType>/<file>';

const lower = (s: string) => s.toLowerCase();
const isDeviceType = (s: string) => DEVICE_TYPES.some((d) => lower(d) === lower(s));
const baseName = (segs: string[]) => segs[segs.length - 1] ?? '';

export function parsePackageLayout(entries: readonly LayoutEntry[], limits: LayoutLimits): LayoutResult {
  // A Set: a problem with a folder is found once per file in it, but reported once.
  const errors = new Set<string>();
  const files: { relPath: string; segs: string[]; size: number }[] = [];
  const dirs: string[][] = [];
  const seen = new Map<string, string>();

  for (const e of entries) {
    const relPath = e.path.replace(/\\/g, '/');
    const problem = pathProblem(relPath);
    if (problem) {
      errors.add(`"${printable(e.path)}": ${problem}.`);
      continue;
    }
    const segs = relPath.replace(/\/$/, '').split('/');
    if (e.isDir) {
      dirs.push(segs);
      continue;
    }
    const other = seen.get(lower(relPath));
    if (other !== undefined) {
      errors.add(other === relPath ? `"${relPath}" appears more than once.` : `"${other}" and "${relPath}" differ only in letter case.`);
      continue;
    }
    seen.set(lower(relPath), relPath);
    files.push({ relPath, segs, size: e.size });
  }

  for (const e of limitProblems(files, limits)) errors.add(e);

  const wrapper = wrapperDepth(files.map((f) => f.segs));
  const images = new Map<string, { folder: string; image: LayoutImage }>();
  const interim = new Map<string, { folder: string; item: LayoutInterim }>();
  const layout: PackageLayout = { images: [], interim: [], extras: [], ...(wrapper ? { wrapper: files[0]!.segs[0]! } : {}) };

  for (const f of files) {
    const segs = f.segs.slice(wrapper);
    const file: LayoutFile = { relPath: f.relPath, fileName: baseName(segs), size: f.size };
    const name = lower(file.fileName);
    const top = lower(segs[0] ?? '');
    if (name === 'updateinfo.xml') {
      if (layout.updateInfoPath) errors.add(`There are two updateInfo.xml files: "${layout.updateInfoPath}" and "${f.relPath}".`);
      else layout.updateInfoPath = f.relPath;
    } else if (top === INTERIM_FOLDER && segs.length === 3) {
      const locale = segs[1]!;
      const folder = f.segs.slice(0, -1).join('/');
      if (!LOCALE_RE.test(locale)) {
        errors.add(`"${folder}": the locale folder "${locale}" is not a three-letter code such as ENU.`);
        continue;
      }
      const slot = interim.get(lower(locale)) ?? { folder, item: { locale, files: [] } };
      if (slot.folder !== folder) errors.add(`"${slot.folder}" and "${folder}" differ only in letter case.`);
      slot.item.files.push(file);
      interim.set(lower(locale), slot);
    } else if (isDeviceType(segs[0] ?? '') && segs.length === IMAGE_DEPTH) {
      const r = imageOf(segs);
      const folder = f.segs.slice(0, -1).join('/');
      if (typeof r === 'string') {
        errors.add(`"${folder}": ${r}.`);
        continue;
      }
      const id = [...Object.values(r.key), r.version].map(lower).join('/');
      const slot = images.get(id) ?? { folder, image: { ...r, files: [] } };
      if (slot.folder !== folder) errors.add(`"${slot.folder}" and "${folder}" are the same image spelled two ways.`);
      slot.image.files.push(file);
      images.set(id, slot);
    } else if (segs.length === IMAGE_DEPTH && !EXTRA_NAMES.includes(name)) {
      errors.add(`"${f.segs.slice(0, -1).join('/')}": the device type folder "${segs[0]}" is not ${DEVICE_TYPES.join(' or ')}.`);
    } else if (EXTRA_NAMES.includes(name) || segs.length === 1) {
      layout.extras.push(file);
    } else {
      errors.add(`"${f.relPath}" is not where a package keeps files (${TREE}, or OCInterim/<Locale>/<file>).`);
    }
  }

  layout.images = [...images.values()].map((s) => s.image);
  layout.interim = [...interim.values()].map((s) => s.item);
  for (const e of catalogProblems(files.map((f) => f.relPath))) errors.add(e);
  for (const e of emptyImageFolders(dirs, wrapper, files.map((f) => f.segs))) errors.add(e);

  if (errors.size === 0) return { ok: true, layout };
  const shown = [...errors].slice(0, MAX_ERRORS);
  if (errors.size > MAX_ERRORS) shown.push(`... and ${errors.size - MAX_ERRORS} more problems.`);
  return { ok: false, errors: shown };
}

function pathProblem(p: string): string | undefined {
  if (p === '' || p === '/') return 'the entry has no name';
  if (/[\x00-\x1f\x7f]/.test(p)) return 'the name contains control characters';
  if (p.startsWith('/')) return 'absolute paths are not allowed';
  if (/^[A-Za-z]:/.test(p)) return 'drive letters are not allowed';
  const segs = p.replace(/\/$/, '').split('/');
  if (segs.includes('..')) return '".." would point outside the package';
  if (segs.some((s) => s === '' || s === '.')) return 'the path has an empty or "." folder name';
  if (segs.some((s) => s.trim() !== s)) return 'a folder or file name starts or ends with a space';
  return undefined;
}

function printable(p: string): string {
  return p.replace(/[\x00-\x1f\x7f]/g, '?');
}

function limitProblems(files: { relPath: string; size: number }[], limits: LayoutLimits): string[] {
  const out: string[] = [];
  if (files.length > limits.maxFiles) out.push(`The package holds ${files.length} files; at most ${limits.maxFiles} are allowed.`);
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > limits.maxTotalBytes) out.push(`The package unpacks to ${mb(total)}; at most ${mb(limits.maxTotalBytes)} is allowed.`);
  for (const f of files) {
    if (f.size > limits.maxFileBytes) out.push(`"${f.relPath}" is ${mb(f.size)}; a single file may be at most ${mb(limits.maxFileBytes)}.`);
  }
  return out;
}

export const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

const isTreeTop = (s: string | undefined) => s !== undefined && (isDeviceType(s) || lower(s) === INTERIM_FOLDER);

/** 1 when all files share one top folder and the tree starts below it, else 0. */
function wrapperDepth(all: string[][]): number {
  const first = all[0]?.[0];
  if (first === undefined || isTreeTop(first)) return 0;
  return all.every((s) => s.length > 1 && s[0] === first) && all.some((s) => isTreeTop(s[1])) ? 1 : 0;
}

function imageOf(segs: string[]): Omit<LayoutImage, 'files'> | string {
  const [deviceType, vendor, model, revision, locale, rawVersion, updateType] = segs as [string, string, string, string, string, string, string];
  if (!LOCALE_RE.test(locale)) return `the locale folder "${locale}" is not a three-letter code such as ENU`;
  const version = parseVersion(rawVersion);
  if (!version || rawVersion.trim() !== rawVersion) return `the version folder "${rawVersion}" is not a four-part version such as 4.0.7577.4366`;
  return { key: { deviceType, vendor, model, revision, locale, updateType }, version };
}

/** Each image (.nbt) needs its security catalog (.cat) with the same base name in the same folder. */
function catalogProblems(paths: string[]): string[] {
  const all = new Set(paths.map(lower));
  return paths
    .filter((p) => /\.nbt$/i.test(p) && !all.has(lower(p).replace(/\.nbt$/, '.cat')))
    .map((p) => `"${p}" has no security catalog "${baseName(p.split('/')).replace(/\.nbt$/i, '.cat')}" beside it.`);
}

/** Archives that store folders can hold an image folder with no files: nothing could be served from it. */
function emptyImageFolders(dirs: string[][], wrapper: number, files: string[][]): string[] {
  return dirs
    .filter((d) => d.length - wrapper === IMAGE_DEPTH - 1 && isDeviceType(d[wrapper] ?? ''))
    .filter((d) => !files.some((f) => f.length === d.length + 1 && d.every((s, i) => lower(s) === lower(f[i]!))))
    .map((d) => `The image folder "${d.join('/')}" holds no files.`);
}

/**
 * Reads the package version from updateInfo.xml (Updates/Updates/Update/version, as element or attribute, any case).
 * Its full schema is not public, so a document without it, or malformed, yields {}. A DTD or entity declaration
 * (never in Microsoft's packages, and the door to XXE) throws: the package is refused.
 */
export function parseUpdateInfo(text: string): { packageVersion?: string } {
  const doc = parseXml(text);
  if (!doc.ok) {
    if (/DTD/.test(doc.error)) {
      throw new Error('updateInfo.xml contains a DOCTYPE or ENTITY declaration, which update packages never have.');
    }
    return {};
  }
  if (doc.root.name.toLowerCase() !== 'updates') return {};
  const update = childNamed(childNamed(doc.root, 'updates'), 'update');
  const attr = update && Object.entries(update.attrs).find(([k]) => k.toLowerCase() === 'version')?.[1];
  const packageVersion = (childNamed(update, 'version')?.text ?? attr ?? '').trim();
  return packageVersion ? { packageVersion } : {};
}
