// Who is calling the admin API: the desktop app (per-launch bearer token, only from this machine and never through a
// proxy), a signed-in admin (session cookie + CSRF header on changes), or nobody (401). Viewers may only read.
import type { NextFunction, Request, Response } from 'express';
import { findSession } from '../app/admin-auth.js';
import { AppError } from '../app/app-error.js';
import type { LocalAccess } from '../app/local-access.js';
import type { Store } from '../app/store.js';
import type { SessionInfo } from '../../shared/admin-api.js';
import { fromThisMachine } from './admin-guard.js';

export const SESSION_COOKIE = 'ucu_session';

export interface Caller extends SessionInfo {
  via: 'launch-token' | 'session';
  /** The session token (cookie value), for sign-out. */
  token?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A malformed value (bad %-escape) is no session, not a server error.
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function identify(store: Store, local: LocalAccess) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer && local.isLaunchToken(bearer) && fromThisMachine(req)) {
      req.caller = { username: 'desktop', role: 'admin', csrf: '', via: 'launch-token' };
      return next();
    }
    const token = readCookie(req, SESSION_COOKIE);
    if (token) {
      const s = (fromThisMachine(req) ? local.findSession(token) : undefined) ?? (await findSession(store, token));
      if (s) req.caller = { username: s.username, role: s.role, csrf: s.csrf, via: 'session', token };
    }
    next();
  };
}

function checkCaller(req: Request, next: NextFunction, changesNeedAdmin: boolean) {
  const c = req.caller;
  if (!c) return next(new AppError('unauthenticated', 'Sign in first.'));
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (!reading && c.via === 'session' && req.headers['x-csrf-token'] !== c.csrf) {
    return next(new AppError('forbidden', 'Missing or wrong X-CSRF-Token header: reload the console.'));
  }
  if (!reading && changesNeedAdmin && c.role !== 'admin') return next(new AppError('forbidden', 'Your account can view but not change anything.'));
  next();
}

/** Requires a caller; changes need the admin role and, with a cookie, the CSRF header. */
export function requireCaller(req: Request, _res: Response, next: NextFunction) {
  checkCaller(req, next, true);
}

/** Like requireCaller, but any role may do it: signing out of one's own session (still with the CSRF header). */
export function requireOwnSession(req: Request, _res: Response, next: NextFunction) {
  checkCaller(req, next, false);
}
