// SQL for admin accounts and their sign-in sessions (tokens are stored hashed).
import type { Db } from './connection.js';
import type { AdminAccount, AdminsRepo, SessionRecord } from '../../app/store-contract.js';




export class SqliteAdminsRepo implements AdminsRepo {
  constructor(private readonly db: Db) {}

  async list(): Promise<Omit<AdminAccount, 'passwordHash'>[]> {
    return this.db.prepare('SELECT username, role, created_at AS createdAt FROM admins ORDER BY username').all() as Omit<
      AdminAccount,
      'passwordHash'
    >[];
  }

  async get(username: string): Promise<AdminAccount | undefined> {
    return this.db
      .prepare('SELECT username, password_hash AS passwordHash, role, created_at AS createdAt FROM admins WHERE username = ?')
      .get(username) as AdminAccount | undefined;
  }

  async upsert(a: AdminAccount): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO admins (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role`,
      )
      .run(a.username, a.passwordHash, a.role, a.createdAt);
  }

  /** Stores a rehash of the same password, unless the password was changed meanwhile (sessions stay). */
  async replacePasswordHash(username: string, oldHash: string, newHash: string): Promise<void> {
    this.db.prepare('UPDATE admins SET password_hash = ? WHERE username = ? AND password_hash = ?').run(newHash, username, oldHash);
  }

  /** Ends every session of the account (after a password or role change). */
  async removeSessionsOf(username: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
  }

  async remove(username: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM admins WHERE username = ?').run(username).changes > 0;
  }

  async addSession(tokenHash: string, username: string, csrf: string, createdAt: string, expiresAt: string): Promise<void> {
    this.db
      .prepare('INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(tokenHash, username, csrf, createdAt, expiresAt);
  }

  async findSession(tokenHash: string, now: string): Promise<SessionRecord | undefined> {
    return this.db
      .prepare(
        `SELECT s.username, a.role, s.csrf, s.expires_at AS expiresAt FROM sessions s JOIN admins a ON a.username = s.username
         WHERE s.token_hash = ? AND s.expires_at > ?`,
      )
      .get(tokenHash, now) as SessionRecord | undefined;
  }

  async removeSession(tokenHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  async removeExpiredSessions(now: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  }
}
