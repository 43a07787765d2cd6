// Copies an embedded store (infra/db rows and the image files they reference) into an empty pool, images first, then
// table by table with their ids, all in one PostgreSQL transaction: a failure (or a kill) at any point, a damaged
// image included, leaves the pool as it was (the caller runs it in one transaction, holding the pool's write lock: a
// second migration into the same pool waits, then finds it in use). Column names are the same in both engines; every column of the embedded
// table is copied, so a column the pool lacks is an error, not a silent loss.
import type pg from 'pg';
import type { Db } from '../db/connection.js';
import { uploadBlob } from './blob-store.js';

/** Parents before children (foreign keys). */
const TABLES = [
  'packages', 'store_files', 'package_files', 'rules', 'images', 'interim_images', 'test_devices', 'settings', 'history',
  'admins', 'sessions', 'device_logs', 'devices', 'seen_days', 'inventory_overflow', 'inventory_judged', 'shared_downloads',
] as const;
/** Tables whose rows say the pool is in use already: a migration never merges two stores. */
const IN_USE = ['packages', 'rules', 'test_devices', 'history', 'admins', 'devices'] as const;
/** Rows per INSERT (PostgreSQL takes at most 65,535 parameters per statement). */
const ROWS_PER_INSERT = 500;

/** An image file of the embedded store: its name (SHA-256), size and where it lies. */
export interface EmbeddedBlob {
  sha256: string;
  size: number;
  path: string;
}

export type CopyProgress = (what: string, done: number, total?: number) => void;

/**
 * Copies the image files `blobs` and every row of the embedded database `db` into the pool's empty schema on `client`;
 * returns rows per table. Runs inside the caller's transaction on `client`.
 */
export async function copyEmbeddedStore(client: pg.PoolClient, db: Db, blobs: readonly EmbeddedBlob[], progress: CopyProgress = () => undefined): Promise<Record<string, number>> {
  const copied: Record<string, number> = {};
  for (const table of IN_USE) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    if (Number(rows[0]!.n) > 0) throw new Error(`The pool is in use already (its ${table} table has rows): a store is moved only into an empty pool, and nothing was moved.`);
  }
  for (const [i, blob] of blobs.entries()) {
    await uploadBlob(client, blob.path, blob.sha256, blob.size);
    progress('images', i + 1, blobs.length);
  }
  for (const table of TABLES) {
    const pgColumns = new Set(
      (await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table])).rows.map((r) => r.column_name),
    );
    const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
    const missing = columns.filter((c) => !pgColumns.has(c));
    if (missing.length > 0) throw new Error(`The pool's ${table} table has no column ${missing.join(', ')}, so nothing was moved: bring the pool up to this ucupdates' schema (ucupdates pool init) first.`);
    const select = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${table}`).raw();
    let batch: unknown[][] = [];
    let n = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const values = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
      await client.query(`INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values}`, batch.flat());
      n += batch.length;
      progress(table, n);
      batch = [];
    };
    for (const row of select.iterate() as IterableIterator<unknown[]>) {
      batch.push(row.map((v) => (typeof v === 'bigint' ? v.toString() : v)));
      if (batch.length >= ROWS_PER_INSERT) await flush();
    }
    await flush();
    copied[table] = n;
    // Rows came with their ids: the next id the pool gives must follow them.
    if (columns.includes('id')) {
      await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`, [table]);
    }
  }
  return copied;
}
