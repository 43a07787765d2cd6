// Moving in: an embedded store (a data folder's SQLite file and image blobs) copied into an empty pool, all or
// nothing: the images (verified against their names) and every row, ids kept, in one PostgreSQL transaction.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { lockDataFolder } from '../infra/data-lock.js';
import type { SqliteEngine } from '../infra/db/engine.js';
import { DamagedImage } from '../infra/pg/blob-store.js';
import type { EmbeddedBlob } from '../infra/pg/embedded-import.js';
import type { PgEngine } from '../infra/pg/engine.js';
import { AppError } from './app-error.js';
import { Store, storePaths } from './store.js';

export interface PoolMigration {
  images: number;
  bytes: number;
  rows: Record<string, number>;
}

export type MigrationProgress = (step: 'images' | 'rows', done: number, total: number, what?: string) => void;

/** Copies the embedded store of `fromDir` into the pool `pool` (a Store on the pool's engine). */
export async function migrateIntoPool(fromDir: string, pool: Store, progress: MigrationProgress = () => undefined): Promise<PoolMigration> {
  if (pool.engine.kind !== 'postgres') throw new AppError('invalid_input', 'Name the pool to move the store into: --pool postgres://user@host/database.');
  // Checked before the lock, which would create the folder: a mistyped path is said, not moved as an empty store.
  if (!existsSync(storePaths(fromDir).dbFile)) {
    throw new AppError('not_found', `${fromDir} holds no ucupdates store (no ucupdates.db): name the data folder of the server whose store moves.`);
  }
  // No server may change the embedded store while it is copied (one server per data folder: take its lock).
  const lock = lockDataFolder(fromDir, (dir, pid) => `A ucupdates server${pid} is running on ${dir}: stop it first, then move its store (nothing was moved).`);
  let source: Store | undefined;
  try {
    source = new Store(fromDir);
    const blobs: EmbeddedBlob[] = [];
    for (const sha256 of await source.packages.referencedBlobs()) {
      const path = source.blobs.pathOf(sha256);
      const s = await stat(path).catch(() => undefined);
      if (!s) throw new AppError('not_found', `The image file ${sha256} is missing from ${fromDir}: nothing was moved (import its package again there first).`);
      blobs.push({ sha256, size: s.size, path });
    }
    const db = (source.engine as SqliteEngine).db;
    const rows = await (pool.engine as PgEngine)
      .copyFromEmbedded(db, blobs, (what, done, total) => (what === 'images' ? progress('images', done, total ?? blobs.length) : progress('rows', done, 0, what)))
      .catch((e: unknown) => {
        if (e instanceof DamagedImage) throw new AppError('invalid_input', `${e.message} in ${fromDir}: nothing was moved.`);
        throw e;
      });
    return { images: blobs.length, bytes: blobs.reduce((n, b) => n + b.size, 0), rows };
  } finally {
    await source?.close();
    lock.release();
  }
}
