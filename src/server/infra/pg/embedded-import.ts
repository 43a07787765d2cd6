// Copies an embedded store's rows (infra/db) into an empty pool, table by table with their ids, in one PostgreSQL
// transaction: a failure (or a kill) at any point leaves the pool as it was. Column names are the same in both
// engines; only the columns both have are copied, so a column the pool lacks is an error, not a silent loss.
import type pg from 'pg';
import type { Db } from '../db/connection.js';

/** Parents before children (foreign keys). */
const TABLES = [
  'packages', 'store_files', 'package_files', 'rules', 'images', 'interim_images', 'test_devices', 'settings', 'history',
  'admins', 'sessions', 'device_logs', 'devices', 'seen_days', 'inventory_overflow', 'inventory_judged', 'shared_downloads',
] as const;
/** Tables whose rows say the pool is in use already: a migration never merges two stores. */
const IN_USE = ['packages', 'rules', 'test_devices', 'history', 'admins', 'devices'] as const;
/** Rows per INSERT (PostgreSQL takes at most 65,535 parameters per statement). */
const ROWS_PER_INSERT = 500;
/** Any 64-bit key, held for the copy: a second migration into the same pool waits, then finds it in use. */
const MIGRATION_LOCK = 0x75637532;

export type CopyProgress = (table: string, rows: number) => void;

/** Copies every row of the embedded database `db` into the pool's empty schema on `client`; returns rows per table. */
export async function copyEmbeddedRows(client: pg.PoolClient, db: Db, progress: CopyProgress = () => undefined): Promise<Record<string, number>> {
  const copied: Record<string, number> = {};
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    for (const table of IN_USE) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      if (Number(rows[0]!.n) > 0) throw new Error(`The pool is in use already (its ${table} table has rows): a store can be moved only into an empty pool.`);
    }
    for (const table of TABLES) {
      const pgColumns = new Set(
        (await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table])).rows.map((r) => r.column_name),
      );
      const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
      const missing = columns.filter((c) => !pgColumns.has(c));
      if (missing.length > 0) throw new Error(`The pool's ${table} table has no column ${missing.join(', ')}: upgrade ucupdates on the pool's nodes first.`);
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
    await client.query('COMMIT');
    return copied;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
