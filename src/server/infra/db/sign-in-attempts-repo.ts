// SQL for the sign-in attempts the throttle counts (app/sign-in-throttle.ts).
import type { Db } from './connection.js';
import type { SignInAttemptsRepo } from '../../app/store-contract.js';

export class SqliteSignInAttemptsRepo implements SignInAttemptsRepo {
  constructor(private readonly db: Db) {}

  async recent(key: string, since: number): Promise<number[]> {
    return this.db.prepare('SELECT at FROM sign_in_attempts WHERE key = ? AND at > ? ORDER BY at, id').pluck().all(key, since) as number[];
  }

  async add(key: string, at: number): Promise<number> {
    return Number(this.db.prepare('INSERT INTO sign_in_attempts (key, at) VALUES (?, ?)').run(key, at).lastInsertRowid);
  }

  async remove(id: number): Promise<void> {
    this.db.prepare('DELETE FROM sign_in_attempts WHERE id = ?').run(id);
  }

  async removeKey(key: string): Promise<void> {
    this.db.prepare('DELETE FROM sign_in_attempts WHERE key = ?').run(key);
  }

  async prune(before: number, keep: number): Promise<void> {
    this.db.prepare('DELETE FROM sign_in_attempts WHERE at <= ?').run(before);
    // Ranges of indexes only: this runs at every attempt, on the event loop.
    this.db.prepare('DELETE FROM sign_in_attempts WHERE id <= (SELECT max(id) FROM sign_in_attempts) - ?').run(keep);
  }
}
