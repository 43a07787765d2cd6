// SQL for imported packages, the files they brought into the store, and the interim images.
import type { Version } from '../../../shared/version.js';
import type { Db } from './connection.js';
import type { PackageRecord, PackagesRepo, StoreFile } from '../../app/store-contract.js';
import { toPackage, type PackageRow } from '../store-rows.js';




const PACKAGE_SELECT = `SELECT p.*, (SELECT count(*) FROM package_files f WHERE f.package_id = p.id) AS file_count FROM packages p`;

export class SqlitePackagesRepo implements PackagesRepo {
  constructor(private readonly db: Db) {}

  async list(): Promise<PackageRecord[]> {
    return (this.db.prepare(`${PACKAGE_SELECT} ORDER BY p.id DESC`).all() as PackageRow[]).map(toPackage);
  }

  async findBySha(sha256: string): Promise<PackageRecord | undefined> {
    const row = this.db.prepare(`${PACKAGE_SELECT} WHERE p.sha256 = ?`).get(sha256) as PackageRow | undefined;
    return row && toPackage(row);
  }

  async insert(p: Omit<PackageRecord, 'id' | 'fileCount'>): Promise<number> {
    return Number(
      this.db
        .prepare(
          'INSERT INTO packages (sha256, file_name, package_version, size, kind, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(p.sha256, p.fileName, p.packageVersion, p.size, p.kind, p.importedAt, p.importedBy).lastInsertRowid,
    );
  }

  async getStoreFile(pathKey: string): Promise<StoreFile | undefined> {
    const r = this.db.prepare('SELECT * FROM store_files WHERE path_key = ?').get(pathKey) as
      | { path_key: string; rel_path: string; sha256: string; size: number; timestamp: string; package_id: number }
      | undefined;
    return r && { pathKey: r.path_key, relPath: r.rel_path, sha256: r.sha256, size: r.size, timestamp: r.timestamp, packageId: r.package_id };
  }

  async allStoreFiles(): Promise<StoreFile[]> {
    return this.db
      .prepare('SELECT path_key AS pathKey, rel_path AS relPath, sha256, size, timestamp, package_id AS packageId FROM store_files')
      .all() as StoreFile[];
  }

  /** Adds a file to the store (or links an identical one already there) and to the package's file list. */
  async addStoreFile(f: StoreFile): Promise<void> {
    this.db
      .prepare('INSERT OR IGNORE INTO store_files (path_key, rel_path, sha256, size, timestamp, package_id) VALUES (?, ?, ?, ?, ?, ?)')
      .run(f.pathKey, f.relPath, f.sha256, f.size, f.timestamp, f.packageId);
    this.db.prepare('INSERT OR IGNORE INTO package_files (package_id, path_key) VALUES (?, ?)').run(f.packageId, f.pathKey);
  }

  async referencedBlobs(): Promise<Set<string>> {
    return new Set(this.db.prepare('SELECT DISTINCT sha256 FROM store_files').pluck().all() as string[]);
  }

  /** What removing these packages frees: files no other package holds, and the bytes of blobs nothing else uses. */
  async removalImpact(ids: readonly number[]): Promise<{ files: number; bytes: number }> {
    return this.db
      .prepare(
        `WITH gone AS (
           SELECT sf.path_key, sf.sha256, sf.size FROM store_files sf
           WHERE EXISTS (SELECT 1 FROM package_files pf WHERE pf.path_key = sf.path_key AND pf.package_id IN (SELECT value FROM json_each(@ids)))
             AND NOT EXISTS (SELECT 1 FROM package_files pf WHERE pf.path_key = sf.path_key AND pf.package_id NOT IN (SELECT value FROM json_each(@ids))))
         SELECT (SELECT count(*) FROM gone) AS files,
                (SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT sha256, size FROM gone g
                   WHERE NOT EXISTS (SELECT 1 FROM store_files o WHERE o.sha256 = g.sha256 AND o.path_key NOT IN (SELECT path_key FROM gone)))) AS bytes`,
      )
      .get({ ids: JSON.stringify(ids) }) as { files: number; bytes: number };
  }

  /**
   * Removes packages with the files only they held and the rule images left without files; what they shared with
   * other packages is handed over to one of those. Blobs left unreferenced are the blob store's garbage to collect.
   * Callers check first that no rule or interim image still uses these packages.
   */
  async remove(ids: readonly number[]): Promise<void> {
    const set = JSON.stringify(ids);
    const inSet = 'IN (SELECT value FROM json_each(?))';
    this.db.prepare(`DELETE FROM package_files WHERE package_id ${inSet}`).run(set);
    this.db.prepare('DELETE FROM store_files WHERE NOT EXISTS (SELECT 1 FROM package_files pf WHERE pf.path_key = store_files.path_key)').run();
    this.db
      .prepare(`UPDATE store_files SET package_id = (SELECT min(pf.package_id) FROM package_files pf WHERE pf.path_key = store_files.path_key) WHERE package_id ${inSet}`)
      .run(set);
    // An image is the files under <type>/<vendor>/<model>/<revision>/<locale>/<version>/<updateType>/ (lower case).
    const imageFiles = (pathKey: string) => `${pathKey} >= i.prefix AND ${pathKey} < i.prefix || char(1114111)`;
    const images = `(SELECT i0.rule_id, i0.version, lower(r.device_type||'/'||r.vendor||'/'||r.model||'/'||r.revision||'/'||r.locale||'/'||i0.version||'/'||r.update_type||'/') AS prefix
                     FROM images i0 JOIN rules r ON r.id = i0.rule_id)`;
    this.db
      .prepare(
        `DELETE FROM images WHERE (rule_id, version) IN (SELECT i.rule_id, i.version FROM ${images} i
           WHERE NOT EXISTS (SELECT 1 FROM store_files sf WHERE ${imageFiles('sf.path_key')}))`,
      )
      .run();
    this.db
      .prepare(
        `UPDATE images SET package_id = (SELECT min(pf.package_id) FROM ${images} i JOIN package_files pf ON ${imageFiles('pf.path_key')}
           WHERE i.rule_id = images.rule_id AND i.version = images.version) WHERE package_id ${inSet}`,
      )
      .run(set);
    this.db.prepare(`DELETE FROM packages WHERE id ${inSet}`).run(set);
  }

  async setInterim(locale: string, version: Version, packageId: number): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO interim_images (locale, version, package_id) VALUES (?, ?, ?) ON CONFLICT(locale) DO UPDATE SET version = excluded.version, package_id = excluded.package_id',
      )
      .run(locale.toUpperCase(), version, packageId);
  }

  /** The files served for each interim image (those below OCInterim/<Locale>/), by locale then name. */
  async interimFiles(): Promise<{ locale: string; fileName: string; size: number; sha256: string }[]> {
    return this.db
      .prepare(
        `SELECT i.locale, substr(sf.rel_path, length(i.locale) + 12) AS fileName, sf.size, sf.sha256
         FROM interim_images i JOIN store_files sf
           ON sf.path_key >= 'ocinterim/' || lower(i.locale) || '/' AND sf.path_key < 'ocinterim/' || lower(i.locale) || '/' || char(1114111)
         ORDER BY i.locale, sf.path_key`,
      )
      .all() as { locale: string; fileName: string; size: number; sha256: string }[];
  }

  async listInterim(): Promise<{ locale: string; version: Version; packageId: number }[]> {
    return this.db.prepare('SELECT locale, version, package_id AS packageId FROM interim_images ORDER BY locale').all() as {
      locale: string;
      version: Version;
      packageId: number;
    }[];
  }
}
