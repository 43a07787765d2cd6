// The OCPE interim image: what a locale's folder must hold, and which phones of the inventory it serves.
// The files are the ones OCS served from OCInterim/<Locale>/ (protocol.md sections 2 and 5): CPE.nbt and its catalog.
import { NEVER_UPDATED, parseVersion } from '../../shared/version.js';
import type { LayoutInterim } from './package-layout.js';
import { takesInterimFirst, type DecisionSettings } from './update-decision.js';

const INTERIM_FILES = ['CPE.nbt', 'CPE.cat'];
const isInterimFile = (name: string) => INTERIM_FILES.some((n) => n.toLowerCase() === name.toLowerCase());

/** Every interim locale holds a non-empty CPE.nbt and CPE.cat, and nothing else. */
export function interimImageProblems(interim: readonly LayoutInterim[]): string[] {
  const out: string[] = [];
  for (const i of interim) {
    const folder = i.files[0]!.relPath.slice(0, i.files[0]!.relPath.lastIndexOf('/'));
    for (const f of i.files) {
      if (!isInterimFile(f.fileName)) out.push(`"${f.relPath}" is not part of an interim image, which is CPE.nbt and CPE.cat only.`);
      else if (f.size === 0) out.push(`"${f.relPath}" is empty.`);
    }
    for (const name of INTERIM_FILES) {
      if (!i.files.some((f) => f.fileName.toLowerCase() === name.toLowerCase())) out.push(`"${folder}" has no ${name}: an interim image is CPE.nbt with its catalog CPE.cat.`);
    }
  }
  return out;
}

/** Phones of one locale on one installed version, as the inventory counts them. */
export interface PhonesOnVersion {
  deviceType: string;
  locale: string;
  version: string;
  phones: number;
}

export interface InterimReach {
  /** Phones that take the interim build first, by locale (upper case). */
  byLocale: Map<string, number>;
  /** Locales with such phones and no interim image, most phones first. */
  missing: { locale: string; phones: number }[];
}

/** Which phones take the interim build first (the update decision's own rule), by locale; and where it is missing. */
export function interimReach(
  fleet: readonly PhonesOnVersion[],
  imageLocales: readonly string[],
  s: Pick<DecisionSettings, 'interimThreshold' | 'interimInclusive'>,
): InterimReach {
  const byLocale = new Map<string, number>();
  for (const p of fleet) {
    if (!takesInterimFirst(p.deviceType, parseVersion(p.version) ?? NEVER_UPDATED, s)) continue;
    const locale = p.locale.toUpperCase();
    byLocale.set(locale, (byLocale.get(locale) ?? 0) + p.phones);
  }
  const have = new Set(imageLocales.map((l) => l.toUpperCase()));
  const missing = [...byLocale]
    .filter(([locale]) => !have.has(locale))
    .map(([locale, phones]) => ({ locale, phones }))
    .sort((a, b) => b.phones - a.phones || a.locale.localeCompare(b.locale));
  return { byLocale, missing };
}
