// One server per data folder: two would answer phones from one store, and the first to stop would delete the other's
// server.json. The lock is SQLite's own lock (fcntl, LockFileEx) on <data>/server.lock, held for the server's life.
// The system drops it when the process ends however it ends (kill -9, power loss), so a dead server's lock is simply
// taken over, and a PID reused after a reboot can never keep the service from starting. The holder's PID is written
// beside it in server.pid, only to name it when a second server is refused.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { nativeBinding } from './db/native-binding.js';
import { writeSmallFile } from './small-file.js';

export interface DataLock {
  release(): void;
}

const serving = (dataDir: string, pid: string) =>
  `Another ucupdates${pid} is already serving the data folder ${dataDir}: stop it first, or give this one another data folder with --data.`;

/**
 * Takes the data folder's lock, or throws one sentence naming the process that holds it (`refusal` words it for
 * another purpose than serving; pid is " (PID n)" or "").
 */
export function lockDataFolder(dataDir: string, refusal: (dataDir: string, pid: string) => string = serving): DataLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // as the store makes it: the lock is taken first
  const pidFile = join(dataDir, 'server.pid');
  const db = new Database(join(dataDir, 'server.lock'), { nativeBinding: nativeBinding() });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE'); // kept after the first transaction, until the connection closes
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    const pid = holder(pidFile);
    throw new Error(refusal(dataDir, pid ? ` (PID ${pid})` : ''));
  }
  try {
    writeSmallFile(pidFile, String(process.pid));
  } catch (e) {
    db.close();
    throw e;
  }
  return {
    release() {
      rmSync(pidFile, { force: true }); // still holding the lock: the file is ours
      db.close();
    },
  };
}

function holder(pidFile: string): number | undefined {
  try {
    return Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}
