// Purge: remove the packages whose versions no phone can be offered any more, and the disk space only they used.
// The decision is planPurge (pure); this gathers its input, re-plans inside the transaction and records history.
import type { PurgePreviewDto, PurgeResultDto } from '../../shared/admin-api.js';
import { ruleKeyPath } from '../domain/device.js';
import { planPurge, type PackageUse } from '../domain/purge-plan.js';
import { AppError } from './app-error.js';
import { ORPHAN_AGE_MS } from './crash-recovery.js';
import type { Store } from './store.js';
import type { Repos } from './store-contract.js';

export async function previewPurge(store: Store): Promise<PurgePreviewDto> {
  const plan = planPurge(await packageUses(store));
  return { ...plan, ...(await store.packages.removalImpact(plan.purge.map((p) => p.id))) };
}

/** Removes the given packages, all or nothing: each must still be one that Purge may remove. */
export async function applyPurge(store: Store, ids: number[], actor: string): Promise<PurgeResultDto> {
  const result = await store.write(async (tx) => {
    const plan = planPurge(await packageUses(tx));
    const purgeable = new Map(plan.purge.map((p) => [p.id, p]));
    const kept = new Map(plan.keep.map((p) => [p.id, p]));
    const refused = [...new Set(ids)].filter((id) => !purgeable.has(id));
    if (refused.length > 0) {
      const why = refused.map((id) => (kept.has(id) ? `${kept.get(id)!.fileName} (package ${id}) is still in use: ${kept.get(id)!.reason}` : `There is no package ${id}.`));
      throw new AppError(refused.some((id) => kept.has(id)) ? 'conflict' : 'not_found', `Nothing was purged. ${why.join(' ')}`);
    }
    const removed = [...new Set(ids)].map((id) => purgeable.get(id)!);
    const impact = await tx.packages.removalImpact(ids);
    await tx.packages.remove(ids);
    return {
      result: { packages: removed, ...impact },
      history: { actor, action: 'purge', target: removed.map((p) => p.fileName).join(', '), details: { packages: removed.map((p) => p.id), ...impact } },
    };
  });
  // Blobs younger than an hour may belong to an import under way in another process: a later purge or start takes them.
  await store.blobs.collectGarbage(await store.packages.referencedBlobs(), ORPHAN_AGE_MS);
  return result;
}

async function packageUses(store: Repos): Promise<PackageUse[]> {
  const rules = new Map((await store.rules.list()).map((r) => [r.id, r]));
  const interim = await store.packages.listInterim();
  const packages = await store.packages.list();
  const images: Awaited<ReturnType<Repos['rules']['imagesOfPackage']>>[] = [];
  for (const p of packages) images.push(await store.rules.imagesOfPackage(p.id)); // in a transaction: one connection
  return packages.map((p, i) => ({
    id: p.id,
    fileName: p.fileName,
    importedAt: p.importedAt,
    images: images[i]!.map(({ ruleId, version }) => {
      const r = rules.get(ruleId)!;
      return { rule: ruleKeyPath(r), version, ruleVersions: { approved: r.approved, pending: r.pending, restore: r.restore } };
    }),
    interimLocales: interim.filter((i) => i.packageId === p.id).map((i) => i.locale),
  }));
}
