// Which imported packages Purge may remove: a package goes when none of its versions can still reach a phone
// (approved, pending or kept for roll back) and no interim image is served from it. Whole packages only, so that
// uploading a purged package again is a fresh import that lands its versions as pending (protocol.md section 5).
import type { PurgeVerdictDto } from '../../shared/admin-api.js';
import { compareVersions, type Version } from '../../shared/version.js';
import type { RuleVersions } from './rule-transitions.js';

export interface PackageUse {
  id: number;
  fileName: string;
  importedAt: string;
  /** The rule images whose files the package holds, with the rule's current versions. */
  images: { rule: string; version: Version; ruleVersions: RuleVersions }[];
  /** Locales whose interim image is served from this package. */
  interimLocales: string[];
}

/** Why a package goes, or the first reason it stays. */
export type PurgeVerdict = PurgeVerdictDto;

export interface PurgePlan {
  purge: PurgeVerdict[];
  keep: PurgeVerdict[];
}

const ROLES = [
  ['approved', 'approved'],
  ['pending', 'pending'],
  ['restore', 'kept for roll back'],
] as const;

export function planPurge(packages: readonly PackageUse[]): PurgePlan {
  const plan: PurgePlan = { purge: [], keep: [] };
  for (const p of packages) {
    const verdict = (reason: string): PurgeVerdict => ({ id: p.id, fileName: p.fileName, importedAt: p.importedAt, reason });
    const keptBy = keepReason(p);
    if (keptBy) plan.keep.push(verdict(keptBy));
    else {
      const versions = [...new Set(p.images.map((i) => i.version))].sort(compareVersions);
      plan.purge.push(verdict(versions.length ? `No rule uses ${versions.join(', ')} any more.` : 'It holds no image any rule uses.'));
    }
  }
  return plan;
}

function keepReason(p: PackageUse): string | undefined {
  if (p.interimLocales.length > 0) return `It holds the interim image served for ${p.interimLocales.join(', ')}.`;
  for (const image of p.images) {
    for (const [field, words] of ROLES) {
      const v = image.ruleVersions[field];
      if (v && compareVersions(v, image.version) === 0) return `${image.rule} ${image.version} is ${words}.`;
    }
  }
  return undefined;
}
