// Access for the person at this machine, without an account: a per-launch bearer token (the desktop app) and
// one-time sign-in links (printed by `ucupdates serve`). Both live only in this process's memory and work only
// on loopback connections.
import { timingSafeEqual } from 'node:crypto';
import { hashToken, newToken } from './admin-auth.js';
import type { SessionInfo } from '../../shared/admin-api.js';

const LINK_TTL_MS = 15 * 60_000;
const SESSION_TTL_MS = 12 * 3600_000;

export class LocalAccess {
  readonly launchToken = newToken();
  private readonly links = new Map<string, number>();
  private readonly sessions = new Map<string, SessionInfo & { expires: number }>();

  constructor(private readonly clock: () => number = Date.now) {}

  isLaunchToken(token: string): boolean {
    return timingSafeEqual(Buffer.from(hashToken(token)), Buffer.from(hashToken(this.launchToken)));
  }

  /** A token for one sign-in link, valid for 15 minutes. */
  issueLinkToken(): string {
    const token = newToken();
    this.links.set(hashToken(token), this.clock() + LINK_TTL_MS);
    return token;
  }

  /** Trades a link token (once) for a session token; undefined when it is unknown, used or expired. */
  exchange(linkToken: string): { token: string; session: SessionInfo } | undefined {
    const key = hashToken(linkToken);
    const expires = this.links.get(key);
    this.links.delete(key);
    if (expires === undefined || expires < this.clock()) return undefined;
    const token = newToken();
    const session: SessionInfo = { username: 'local-admin', role: 'admin', csrf: newToken() };
    this.sessions.set(hashToken(token), { ...session, expires: this.clock() + SESSION_TTL_MS });
    return { token, session };
  }

  findSession(token: string): SessionInfo | undefined {
    const s = this.sessions.get(hashToken(token));
    if (!s || s.expires < this.clock()) return undefined;
    return { username: s.username, role: s.role, csrf: s.csrf };
  }

  signOut(token: string): void {
    this.sessions.delete(hashToken(token));
  }
}
