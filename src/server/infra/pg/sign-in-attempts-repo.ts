// SQL for the sign-in attempts the throttle counts, shared by every server of the pool (as infra/db/sign-in-attempts-repo.ts).
import type { SignInAttemptsRepo } from '../../app/store-contract.js';
import type { Queryable } from './connection.js';

export class PgSignInAttemptsRepo implements SignInAttemptsRepo {
  constructor(private readonly q: Queryable) {}

  async recent(key: string, since: number): Promise<number[]> {
    const { rows } = await this.q.query<{ at: number }>('SELECT at FROM sign_in_attempts WHERE key = $1 AND at > $2 ORDER BY at, id', [key, since]);
    return rows.map((r) => r.at);
  }

  async add(key: string, at: number): Promise<number> {
    const { rows } = await this.q.query<{ id: number }>('INSERT INTO sign_in_attempts (key, at) VALUES ($1, $2) RETURNING id', [key, at]);
    return rows[0]!.id;
  }

  async remove(id: number): Promise<void> {
    await this.q.query('DELETE FROM sign_in_attempts WHERE id = $1', [id]);
  }

  async removeKey(key: string): Promise<void> {
    await this.q.query('DELETE FROM sign_in_attempts WHERE key = $1', [key]);
  }

  async prune(before: number, keep: number): Promise<void> {
    await this.q.query('DELETE FROM sign_in_attempts WHERE at <= $1', [before]);
    await this.q.query('DELETE FROM sign_in_attempts WHERE id <= (SELECT max(id) FROM sign_in_attempts) - $1::bigint', [keep]);
  }
}
