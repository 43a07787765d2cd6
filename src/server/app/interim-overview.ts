// The interim images in the store, each with its files and the phones of the inventory it serves, and the locales
// whose phones need one that is missing: what `ucupdates rules` and the console's rules show.
import type { InterimOverviewDto } from '../../shared/admin-api.js';
import { interimReach } from '../domain/interim-image.js';
import { INTERIM_VERSION } from '../domain/update-decision.js';
import type { Store } from './store.js';

export async function interimOverview(store: Store): Promise<InterimOverviewDto> {
  const { interimThreshold, interimInclusive } = await store.settings.read();
  const interim = await store.packages.listInterim();
  const files = await store.packages.interimFiles();
  const packages = new Map((await store.packages.list()).map((p) => [p.id, p]));
  const settings = { interimThreshold: interimThreshold as typeof INTERIM_VERSION, interimInclusive };
  const reach = interimReach(await store.devices.phonesByLocaleAndVersion(), interim.map((i) => i.locale), settings);
  return {
    version: INTERIM_VERSION,
    threshold: interimThreshold,
    inclusive: interimInclusive,
    images: interim.map((i) => {
      const locale = i.locale.toUpperCase();
      const p = packages.get(i.packageId);
      return {
        locale,
        version: i.version,
        files: files.filter((f) => f.locale.toUpperCase() === locale).map((f) => ({ fileName: f.fileName, size: f.size })),
        packageId: i.packageId,
        fileName: p?.fileName ?? '',
        importedAt: p?.importedAt ?? '',
        phones: reach.byLocale.get(locale) ?? 0,
      };
    }),
    missing: reach.missing,
  };
}
