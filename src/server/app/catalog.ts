// The phone path's read model: everything an update check or a file download needs, held in memory and rebuilt
// when the store changes (by this process, by another process such as the CLI, or by another pool node). The phone
// path never waits on the store: it reads the last snapshot built; a rebuild that fails (the pool's database
// unreachable) keeps the last one.
import { createHash } from 'node:crypto';
import type { Settings } from '../../shared/settings.js';
import type { Version } from '../../shared/version.js';
import { modelKey, type Image, type ImageFile } from '../domain/device.js';
import type { DecisionSettings, RuleWithImages } from '../domain/update-decision.js';
import { BoundedCache } from '../domain/bounded-cache.js';
import type { Store } from './store.js';
import type { Repos, StoreFile, TestDevice } from './store-contract.js';
import type { MemoAnswer } from './update-check.js';

export interface CatalogSnapshot {
  settings: Settings;
  decisionSettings: DecisionSettings;
  rulesByModel: ReadonlyMap<string, RuleWithImages[]>;
  interim: ReadonlyMap<string, Image>;
  testByMac: ReadonlyMap<string, TestDevice>;
  testBySerial: ReadonlyMap<string, TestDevice>;
  /** Servable files by lower-cased path below DeviceUpdateFiles_Int/. */
  files: ReadonlyMap<string, StoreFile>;
  /** Answers already made against this snapshot (see update-check.ts), bounded by the settings. */
  answers: BoundedCache<MemoAnswer>;
  /** A key of the decision's inputs (rules, their images, interim images, test devices, decision settings): the
   * inventory's due offers were judged on the inputs with this key when it is the stored one (app/inventory-judge.ts). */
  judgedAs: string;
}

export class Catalog {
  private snapshot: CatalogSnapshot | undefined;
  /** Rebuilds started; a slower older one never replaces a newer one's snapshot. */
  private builds = 0;
  private readonly stop: () => void;
  private readonly refreshed = new Set<(snap: CatalogSnapshot) => void>();

  private constructor(private readonly store: Store, private readonly onError: (err: unknown) => void) {
    this.stop = store.onChange(() => this.refresh());
  }

  /** The catalog of a store, with its first snapshot built (a start without one cannot answer phones). */
  static async load(store: Store, onError: (err: unknown) => void = () => undefined): Promise<Catalog> {
    const catalog = new Catalog(store, onError);
    catalog.snapshot = await buildSnapshot(store);
    return catalog;
  }

  current(): CatalogSnapshot {
    return this.snapshot!;
  }

  /** Builds the snapshot again from the store (after a change); on failure the last one stays, and onError hears. */
  async refresh(): Promise<void> {
    const build = ++this.builds;
    try {
      const next = await buildSnapshot(this.store);
      if (build !== this.builds) return;
      this.snapshot = next;
      for (const fn of this.refreshed) fn(next);
    } catch (err) {
      this.onError(err);
    }
  }

  /** Calls fn with each snapshot built after a change. */
  onRefresh(fn: (snap: CatalogSnapshot) => void): void {
    this.refreshed.add(fn);
  }

  close(): void {
    this.refreshed.clear();
    this.stop();
  }
}

export async function buildSnapshot(store: Repos): Promise<CatalogSnapshot> {
  // One after the other: inside a transaction they share one connection, which runs one query at a time anyway.
  const settings = await store.settings.read();
  const storeFiles = await store.packages.allStoreFiles();
  const rules = await store.rules.list();
  const interims = await store.packages.listInterim();
  const testDevices = await store.testDevices.list();
  const files = new Map<string, StoreFile>();
  const byFolder = new Map<string, ImageFile[]>();
  for (const f of storeFiles) {
    files.set(f.pathKey, f);
    const slash = f.pathKey.lastIndexOf('/');
    const folder = f.pathKey.slice(0, slash);
    const list = byFolder.get(folder) ?? [];
    list.push({ fileName: f.relPath.slice(f.relPath.lastIndexOf('/') + 1), timestamp: f.timestamp, size: f.size });
    byFolder.set(folder, list);
  }
  const image = (folder: string, version: Version): Image | undefined => {
    const list = byFolder.get(folder.toLowerCase());
    return list && { version, files: list.sort((a, b) => a.fileName.localeCompare(b.fileName)) };
  };

  const rulesByModel = new Map<string, RuleWithImages[]>();
  for (const rule of rules) {
    const images = new Map<string, Image>();
    for (const v of rule.versions) {
      const img = image([rule.deviceType, rule.vendor, rule.model, rule.revision, rule.locale, v, rule.updateType].join('/'), v);
      if (img) images.set(v, img);
    }
    const key = modelKey(rule);
    const list = rulesByModel.get(key) ?? [];
    list.push({ rule, images });
    rulesByModel.set(key, list);
  }

  const interim = new Map<string, Image>();
  for (const i of interims) {
    const img = image(`OCInterim/${i.locale}`, i.version);
    if (img) interim.set(i.locale.toUpperCase(), img);
  }

  const testByMac = new Map<string, TestDevice>();
  const testBySerial = new Map<string, TestDevice>();
  for (const d of testDevices) {
    if (d.mac) testByMac.set(d.mac, d);
    if (d.serial) testBySerial.set(d.serial.toLowerCase(), d);
  }

  const decisionSettings: DecisionSettings = {
    interimThreshold: settings.interimThreshold as Version,
    interimInclusive: settings.interimInclusive,
    roundTableServesPending: settings.roundTableServesPending,
  };
  return {
    settings,
    decisionSettings,
    rulesByModel,
    interim,
    testByMac,
    testBySerial,
    files,
    answers: answerCache(settings),
    judgedAs: inputsKey(rulesByModel, interim, testByMac, testBySerial, decisionSettings),
  };
}

/** An empty memo of answers within the settings' bounds (each snapshot, in each process that answers phones, has one). */
export const answerCache = (s: Settings) => new BoundedCache<MemoAnswer>(s.answerCacheEntries, s.answerCacheMB * 1024 * 1024);

/** What a decision's offer (version and folder) can depend on, hashed: the offer's files and names do not matter. */
function inputsKey(
  rulesByModel: ReadonlyMap<string, RuleWithImages[]>,
  interim: ReadonlyMap<string, Image>,
  testByMac: ReadonlyMap<string, TestDevice>,
  testBySerial: ReadonlyMap<string, TestDevice>,
  decisionSettings: DecisionSettings,
): string {
  const rules = [...rulesByModel.values()]
    .flat()
    .map(({ rule: r, images }) => [r.id, r.deviceType, r.vendor, r.model, r.revision, r.locale, r.updateType, r.approved, r.pending, [...images.keys()].sort()] as const)
    .sort((a, b) => a[0] - b[0]);
  const interims = [...interim].map(([locale, img]) => [locale, img.version]).sort();
  const inputs = [rules, interims, [...testByMac.keys()].sort(), [...testBySerial.keys()].sort(), decisionSettings];
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}
