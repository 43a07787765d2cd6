// SQL for the admin action history: who did what, when (as infra/db/history-repo.ts).
import type { HistoryEntry, HistoryRepo } from '../../app/store-contract.js';
import type { Queryable } from './connection.js';

export class PgHistoryRepo implements HistoryRepo {
  constructor(private readonly q: Queryable) {}

  async add(e: Omit<HistoryEntry, 'id'>): Promise<void> {
    await this.q.query('INSERT INTO history (at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5)', [
      e.at,
      e.actor,
      e.action,
      e.target,
      JSON.stringify(e.details),
    ]);
  }

  async list(limit: number, beforeId?: number): Promise<HistoryEntry[]> {
    const rows = (await this.q.query<Omit<HistoryEntry, 'details'> & { details: string }>(
      'SELECT id, at, actor, action, target, details FROM history WHERE id < $1 ORDER BY id DESC LIMIT $2',
      [beforeId ?? Number.MAX_SAFE_INTEGER, limit],
    )).rows;
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  }
}
