// SQL for the admin action history: who did what, when. Written in the same transaction as the change it records.
import type { Db } from './connection.js';
import type { HistoryEntry, HistoryRepo } from '../../app/store-contract.js';


export class SqliteHistoryRepo implements HistoryRepo {
  constructor(private readonly db: Db) {}

  async add(e: Omit<HistoryEntry, 'id'>): Promise<void> {
    this.db
      .prepare('INSERT INTO history (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)')
      .run(e.at, e.actor, e.action, e.target, JSON.stringify(e.details));
  }

  async list(limit: number, beforeId?: number): Promise<HistoryEntry[]> {
    const rows = this.db
      .prepare('SELECT * FROM history WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as (Omit<HistoryEntry, 'details'> & { details: string })[];
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  }
}
