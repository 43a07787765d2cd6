// Opens the store's SQLite file (WAL, so the CLI and a running server can share it) and brings its schema up to date.
// A file that cannot be opened is refused in words (storage-problem.ts); a database this open created and could not
// finish (a full disk) is removed, so the next start does not meet half a schema.
import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { inWords } from '../storage-problem.js';
import { MIGRATIONS } from './migrations.js';
import { nativeBinding } from './native-binding.js';

export type Db = Database.Database;

/**
 * How long a write waits for another connection's write to end. Transactions that write begin IMMEDIATE (they take
 * the write lock first), so the wait is the only thing between them: never a "database is locked" half way through.
 */
export const BUSY_TIMEOUT_MS = 5000;

export function openDatabase(file: string): Db {
  const binding = nativeBinding(); // outside the try: a missing Electron build is not a storage problem
  const created = !existsSync(file);
  let db: Db | undefined;
  try {
    db = new Database(file, { nativeBinding: binding });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`); // first: switching to WAL may wait for another process too
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL'); // an import or approval that returned is on disk
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (e) {
    db?.close();
    if (created) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    throw inWords(e, file);
  }
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The store was written by a newer ucupdates (schema ${current}, this one knows ${MIGRATIONS.length}). Upgrade ucupdates.`,
    );
  }
  // The version is read again under the write lock: another process (a CLI command) may be migrating the same file.
  const next = db.transaction(() => {
    const v = db.pragma('user_version', { simple: true }) as number;
    if (v >= MIGRATIONS.length) return;
    db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${v + 1}`);
  });
  for (let v = current; v < MIGRATIONS.length; v++) next.immediate();
}

/**
 * A server's start-up check: every page readable and in order (quick_check) and the file writable. Opening alone
 * finds neither damage past the first page nor a read-only file (SQLite then opens it read-only, and the first
 * admin change or inventory flush would fail instead).
 */
export function checkDatabase(db: Db, file: string): void {
  try {
    const verdict = db.pragma('quick_check(1)', { simple: true });
    if (verdict !== 'ok') {
      const problem = String(verdict).replace(/^\*\*\* in database \w+ \*\*\*\s*/, '').replace(/\s*\n\s*/g, '; ');
      throw Object.assign(new Error(problem), { code: 'SQLITE_CORRUPT' });
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    db.transaction(() => db.pragma(`user_version = ${version}`)).immediate(); // a real write, changing nothing
  } catch (e) {
    throw inWords(e, file);
  }
}
