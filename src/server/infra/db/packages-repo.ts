// SQL for imported packages, the files they brought into the store, and the interim images.
import type { PackageDto } from '../../../shared/admin-api.js';
import type { Version } from '../../../shared/version.js';
import type { Db } from './connection.js';

/** Packages are reported to admins exactly as stored. */
export type PackageRecord = PackageDto;

export interface StoreFile {
  pathKey: string;
  relPath: string;
  sha256: string;
  size: number;
  timestamp: string;
  packageId: number;
}

interface PackageRow {
  id: number;
  sha256: string;
  file_name: string;
  package_version: string | null;
  size: number;
  kind: PackageRecord['kind'];
  imported_at: string;
  imported_by: string;
  file_count: number;
}
const toPackage = (r: PackageRow): PackageRecord => ({
  id: r.id,
  sha256: r.sha256,
  fileName: r.file_name,
  packageVersion: r.package_version,
  size: r.size,
  kind: r.kind,
  importedAt: r.imported_at,
  importedBy: r.imported_by,
  fileCount: r.file_count,
});

const PACKAGE_SELECT = `SELECT p.*, (SELECT count(*) FROM package_files f WHERE f.package_id = p.id) AS file_count FROM packages p`;

export class PackagesRepo {
  constructor(private readonly db: Db) {}

  list(): PackageRecord[] {
    return (this.db.prepare(`${PACKAGE_SELECT} ORDER BY p.id DESC`).all() as PackageRow[]).map(toPackage);
  }

  findBySha(sha256: string): PackageRecord | undefined {
    const row = this.db.prepare(`${PACKAGE_SELECT} WHERE p.sha256 = ?`).get(sha256) as PackageRow | undefined;
    return row && toPackage(row);
  }

  insert(p: Omit<PackageRecord, 'id' | 'fileCount'>): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO packages (sha256, file_name, package_version, size, kind, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(p.sha256, p.fileName, p.packageVersion, p.size, p.kind, p.importedAt, p.importedBy).lastInsertRowid,
    );
  }

  getStoreFile(pathKey: string): StoreFile | undefined {
    const r = this.db.prepare('SELECT * FROM store_files WHERE path_key = ?').get(pathKey) as
      | { path_key: string; rel_path: string; sha256: string; size: number; timestamp: string; package_id: number }
      | undefined;
    return r && { pathKey: r.path_key, relPath: r.rel_path, sha256: r.sha256, size: r.size, timestamp: r.timestamp, packageId: r.package_id };
  }

  allStoreFiles(): StoreFile[] {
    return this.db
      .prepare('SELECT path_key AS pathKey, rel_path AS relPath, sha256, size, timestamp, package_id AS packageId FROM store_files')
      .all() as StoreFile[];
  }

  /** Adds a file to the store (or links an identical one already there) and to the package's file list. */
  addStoreFile(f: StoreFile): void {
    this.db
      .prepare('INSERT OR IGNORE INTO store_files (path_key, rel_path, sha256, size, timestamp, package_id) VALUES (?, ?, ?, ?, ?, ?)')
      .run(f.pathKey, f.relPath, f.sha256, f.size, f.timestamp, f.packageId);
    this.db.prepare('INSERT OR IGNORE INTO package_files (package_id, path_key) VALUES (?, ?)').run(f.packageId, f.pathKey);
  }

  referencedBlobs(): Set<string> {
    return new Set(this.db.prepare('SELECT DISTINCT sha256 FROM store_files').pluck().all() as string[]);
  }

  setInterim(locale: string, version: Version, packageId: number): void {
    this.db
      .prepare(
        'INSERT INTO interim_images (locale, version, package_id) VALUES (?, ?, ?) ON CONFLICT(locale) DO UPDATE SET version = excluded.version, package_id = excluded.package_id',
      )
      .run(locale.toUpperCase(), version, packageId);
  }

  listInterim(): { locale: string; version: Version; packageId: number }[] {
    return this.db.prepare('SELECT locale, version, package_id AS packageId FROM interim_images ORDER BY locale').all() as {
      locale: string;
      version: Version;
      packageId: number;
    }[];
  }
}
