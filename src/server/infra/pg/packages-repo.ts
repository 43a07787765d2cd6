// SQL for imported packages, the files they brought into the store, and the interim images (as
// infra/db/packages-repo.ts).
import type { Version } from '../../../shared/version.js';
import type { PackageRecord, PackagesRepo, StoreFile } from '../../app/store-contract.js';
import { toPackage, type PackageRow } from '../store-rows.js';
import type { Queryable } from './connection.js';
import { IMAGE_PREFIX } from './rules-repo.js';


const PACKAGE_SELECT = `SELECT p.*, (SELECT count(*) FROM package_files f WHERE f.package_id = p.id) AS file_count FROM packages p`;
const STORE_FILE_SELECT = 'SELECT path_key AS "pathKey", rel_path AS "relPath", sha256, size, timestamp, package_id AS "packageId" FROM store_files';
/** Each rule image with the lower-case prefix of its files' keys. */
const IMAGES = `(SELECT i.rule_id, i.version, ${IMAGE_PREFIX} AS prefix FROM images i JOIN rules r ON r.id = i.rule_id)`;

export class PgPackagesRepo implements PackagesRepo {
  constructor(private readonly q: Queryable) {}

  async list(): Promise<PackageRecord[]> {
    return (await this.q.query<PackageRow>(`${PACKAGE_SELECT} ORDER BY p.id DESC`)).rows.map(toPackage);
  }

  async findBySha(sha256: string): Promise<PackageRecord | undefined> {
    const row = (await this.q.query<PackageRow>(`${PACKAGE_SELECT} WHERE p.sha256 = $1`, [sha256])).rows[0];
    return row && toPackage(row);
  }

  async insert(p: Omit<PackageRecord, 'id' | 'fileCount'>): Promise<number> {
    return (await this.q.query<{ id: number }>(
      'INSERT INTO packages (sha256, file_name, package_version, size, kind, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [p.sha256, p.fileName, p.packageVersion, p.size, p.kind, p.importedAt, p.importedBy],
    )).rows[0]!.id;
  }

  async getStoreFile(pathKey: string): Promise<StoreFile | undefined> {
    return (await this.q.query<StoreFile>(`${STORE_FILE_SELECT} WHERE path_key = $1`, [pathKey])).rows[0];
  }

  async allStoreFiles(): Promise<StoreFile[]> {
    return (await this.q.query<StoreFile>(STORE_FILE_SELECT)).rows;
  }

  async addStoreFile(f: StoreFile): Promise<void> {
    await this.q.query(
      'INSERT INTO store_files (path_key, rel_path, sha256, size, timestamp, package_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
      [f.pathKey, f.relPath, f.sha256, f.size, f.timestamp, f.packageId],
    );
    await this.q.query('INSERT INTO package_files (package_id, path_key) VALUES ($1, $2) ON CONFLICT DO NOTHING', [f.packageId, f.pathKey]);
  }

  async referencedBlobs(): Promise<Set<string>> {
    return new Set((await this.q.query<{ sha256: string }>('SELECT DISTINCT sha256 FROM store_files')).rows.map((r) => r.sha256));
  }

  async removalImpact(ids: readonly number[]): Promise<{ files: number; bytes: number }> {
    return (await this.q.query<{ files: number; bytes: number }>(
      `WITH gone AS (
         SELECT sf.path_key, sf.sha256, sf.size FROM store_files sf
         WHERE EXISTS (SELECT 1 FROM package_files pf WHERE pf.path_key = sf.path_key AND pf.package_id = ANY($1::bigint[]))
           AND NOT EXISTS (SELECT 1 FROM package_files pf WHERE pf.path_key = sf.path_key AND NOT pf.package_id = ANY($1::bigint[])))
       SELECT (SELECT count(*) FROM gone) AS files,
              (SELECT coalesce(sum(size), 0)::bigint FROM (SELECT DISTINCT sha256, size FROM gone g
                 WHERE NOT EXISTS (SELECT 1 FROM store_files o WHERE o.sha256 = g.sha256 AND o.path_key NOT IN (SELECT path_key FROM gone))) d) AS bytes`,
      [ids],
    )).rows[0]!;
  }

  /**
   * Removes packages with the files only they held and the rule images left without files; what they shared with
   * other packages is handed over to one of those. Blobs left unreferenced are the blob store's garbage to collect.
   */
  async remove(ids: readonly number[]): Promise<void> {
    const set = [ids];
    await this.q.query('DELETE FROM package_files WHERE package_id = ANY($1::bigint[])', set);
    await this.q.query('DELETE FROM store_files sf WHERE NOT EXISTS (SELECT 1 FROM package_files pf WHERE pf.path_key = sf.path_key)');
    await this.q.query(
      `UPDATE store_files sf SET package_id = (SELECT min(pf.package_id) FROM package_files pf WHERE pf.path_key = sf.path_key)
       WHERE package_id = ANY($1::bigint[])`,
      set,
    );
    await this.q.query(
      `DELETE FROM images WHERE (rule_id, version) IN (SELECT i.rule_id, i.version FROM ${IMAGES} i
         WHERE NOT EXISTS (SELECT 1 FROM store_files sf WHERE sf.path_key ^@ i.prefix))`,
    );
    await this.q.query(
      `UPDATE images SET package_id = (SELECT min(pf.package_id) FROM ${IMAGES} i JOIN package_files pf ON pf.path_key ^@ i.prefix
         WHERE i.rule_id = images.rule_id AND i.version = images.version) WHERE package_id = ANY($1::bigint[])`,
      set,
    );
    await this.q.query('DELETE FROM packages WHERE id = ANY($1::bigint[])', set);
  }

  async setInterim(locale: string, version: Version, packageId: number): Promise<void> {
    await this.q.query(
      `INSERT INTO interim_images (locale, version, package_id) VALUES ($1, $2, $3)
       ON CONFLICT ((lower(locale))) DO UPDATE SET version = excluded.version, package_id = excluded.package_id`,
      [locale.toUpperCase(), version, packageId],
    );
  }

  async interimFiles(): Promise<{ locale: string; fileName: string; size: number; sha256: string }[]> {
    return (await this.q.query<{ locale: string; fileName: string; size: number; sha256: string }>(
      `SELECT i.locale, substr(sf.rel_path, length(i.locale) + 12) AS "fileName", sf.size, sf.sha256
       FROM interim_images i JOIN store_files sf ON sf.path_key ^@ ('ocinterim/' || lower(i.locale) || '/') COLLATE "C"
       ORDER BY lower(i.locale) COLLATE "C", sf.path_key`,
    )).rows;
  }

  async listInterim(): Promise<{ locale: string; version: Version; packageId: number }[]> {
    return (await this.q.query<{ locale: string; version: Version; packageId: number }>(
      'SELECT locale, version, package_id AS "packageId" FROM interim_images ORDER BY lower(locale) COLLATE "C"',
    )).rows;
  }
}
