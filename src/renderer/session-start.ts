// How the console finds its session when it opens: a one-time sign-in link (#signin=<token>, printed by
// `ucupdates serve`) is exchanged for a session and then removed from the address bar; otherwise the cookie's
// session, if any. Started once per page load, outside React, so that the token is never sent twice.
import type { SessionInfo } from '../shared/admin-api.js';
import { errorText, exchangeSignInToken, getSession } from './api.js';

export interface SessionStart {
  session: SessionInfo | null;
  /** Why the sign-in link did not work, in words. */
  error?: string;
}

export function signInTokenFromHash(hash: string): string | undefined {
  const m = /^#signin=([^&]+)$/.exec(hash);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

export async function startSession(): Promise<SessionStart> {
  const token = signInTokenFromHash(window.location.hash);
  if (token) {
    try {
      return { session: await exchangeSignInToken(token) };
    } catch (e) {
      // A used or expired link: an older session may still be valid.
      const session = await getSession().catch(() => null);
      return session ? { session } : { session: null, error: errorText(e) };
    } finally {
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
    }
  }
  try {
    return { session: await getSession() };
  } catch (e) {
    return { session: null, error: errorText(e) };
  }
}
