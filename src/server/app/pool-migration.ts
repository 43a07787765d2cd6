// Moving in: an embedded store (a data folder's SQLite file and image blobs) copied into an empty pool, all or
// nothing. The images go first (content-addressed, verified: a failure leaves only blobs nothing references, which
// the pool's garbage collection removes); then every row, ids kept, in one PostgreSQL transaction.
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { lockDataFolder } from '../infra/data-lock.js';
import type { SqliteEngine } from '../infra/db/engine.js';
import type { PgEngine } from '../infra/pg/engine.js';
import { AppError } from './app-error.js';
import { Store } from './store.js';

export interface PoolMigration {
  images: number;
  bytes: number;
  rows: Record<string, number>;
}

export type MigrationProgress = (step: 'images' | 'rows', done: number, total: number, what?: string) => void;

/** Copies the embedded store of `fromDir` into the pool `pool` (a Store on the pool's engine). */
export async function migrateIntoPool(fromDir: string, pool: Store, progress: MigrationProgress = () => undefined): Promise<PoolMigration> {
  if (pool.engine.kind !== 'postgres') throw new AppError('invalid_input', 'Name the pool to move the store into: --pool postgres://user@host/database.');
  // No server may change the embedded store while it is copied (one server per data folder: take its lock).
  const lock = lockDataFolder(fromDir);
  let source: Store | undefined;
  try {
    source = new Store(fromDir);
    const blobs = [...(await source.packages.referencedBlobs())];
    let bytes = 0;
    for (const [i, sha] of blobs.entries()) {
      // The blob store moves files in: never move the source's own blob, copy it through the pool node's staging.
      const copy = join(pool.paths.stagingDir, `${process.pid}-migrate-${sha}`);
      try {
        await copyFile(source.blobs.pathOf(sha), copy);
        const stored = await pool.blobs.put(copy);
        if (stored.sha256 !== sha) throw new AppError('invalid_input', `The image file ${sha} in ${fromDir} is damaged (its content no longer matches its name): nothing was moved.`);
        bytes += stored.size;
      } finally {
        await rm(copy, { force: true });
      }
      progress('images', i + 1, blobs.length);
    }
    const db = (source.engine as SqliteEngine).db;
    const rows = await (pool.engine as PgEngine).copyFromEmbedded(db, (table, n) => progress('rows', n, 0, table));
    await pool.engine.announceChange(); // the pool's running nodes read the moved store at once
    return { images: blobs.length, bytes, rows };
  } finally {
    await source?.close();
    lock.release();
  }
}
