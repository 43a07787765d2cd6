// SQL for admin accounts and their sign-in sessions (tokens are stored hashed), as infra/db/admins-repo.ts: user names
// compare case-insensitively; a session names its account as the account spells it.
import type { AdminAccount, AdminsRepo, SessionRecord } from '../../app/store-contract.js';
import type { Queryable } from './connection.js';

export class PgAdminsRepo implements AdminsRepo {
  constructor(private readonly q: Queryable) {}

  async list(): Promise<Omit<AdminAccount, 'passwordHash'>[]> {
    return (await this.q.query<Omit<AdminAccount, 'passwordHash'>>(
      'SELECT username, role, created_at AS "createdAt" FROM admins ORDER BY lower(username) COLLATE "C"',
    )).rows;
  }

  async get(username: string): Promise<AdminAccount | undefined> {
    return (await this.q.query<AdminAccount>(
      'SELECT username, password_hash AS "passwordHash", role, created_at AS "createdAt" FROM admins WHERE lower(username) = lower($1)',
      [username],
    )).rows[0];
  }

  async upsert(a: AdminAccount): Promise<void> {
    await this.q.query(
      `INSERT INTO admins (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT ((lower(username))) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role`,
      [a.username, a.passwordHash, a.role, a.createdAt],
    );
  }

  async replacePasswordHash(username: string, oldHash: string, newHash: string): Promise<void> {
    await this.q.query('UPDATE admins SET password_hash = $1 WHERE lower(username) = lower($2) AND password_hash = $3', [newHash, username, oldHash]);
  }

  /** Ends every session of the account (after a password or role change). */
  async removeSessionsOf(username: string): Promise<void> {
    await this.q.query('DELETE FROM sessions WHERE lower(username) = lower($1)', [username]);
  }

  async remove(username: string): Promise<boolean> {
    return ((await this.q.query('DELETE FROM admins WHERE lower(username) = lower($1)', [username])).rowCount ?? 0) > 0;
  }

  async addSession(tokenHash: string, username: string, csrf: string, createdAt: string, expiresAt: string): Promise<void> {
    // An unknown account keeps the name given, so that the foreign key refuses it.
    await this.q.query(
      `INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at)
       VALUES ($1, coalesce((SELECT username FROM admins WHERE lower(username) = lower($2)), $2), $3, $4, $5)`,
      [tokenHash, username, csrf, createdAt, expiresAt],
    );
  }

  async findSession(tokenHash: string, now: string): Promise<SessionRecord | undefined> {
    return (await this.q.query<SessionRecord>(
      `SELECT s.username, a.role, s.csrf, s.expires_at AS "expiresAt" FROM sessions s JOIN admins a ON a.username = s.username
       WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    )).rows[0];
  }

  async removeSession(tokenHash: string): Promise<void> {
    await this.q.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async removeExpiredSessions(now: string): Promise<void> {
    await this.q.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
  }
}
