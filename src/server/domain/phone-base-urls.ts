// The base URLs a phone is given (BaseURL, ExternalBaseURL): the configured ones, else the scheme and Host the phone
// itself used. One rule for the phone path and for everything that tells admins what phones are given (explain).
import type { Settings } from '../../shared/settings.js';

/** How a phone reached a listener: its Host header, and the listener's side of the connection. */
export interface PhoneConnection {
  host: string | undefined;
  encrypted: boolean;
  localAddress: string | undefined;
  localPort: number | undefined;
}

export interface BaseUrls {
  internalBase: string;
  externalBase: string;
}

const HOST_RE = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
/** A DNS name has at most 253 characters, and a port 6 more: a longer Host header is not believed (it would also
 * be part of the memoised answer's key). */
const MAX_HOST_CHARS = 259;

export function phoneBaseUrls(c: PhoneConnection, s: Pick<Settings, 'internalUrl' | 'externalUrl'>): BaseUrls {
  let internalBase = s.internalUrl;
  if (!internalBase) {
    const host = c.host && c.host.length <= MAX_HOST_CHARS && HOST_RE.test(c.host) ? c.host : localHost(c);
    internalBase = `${c.encrypted ? 'https' : 'http'}://${host}`;
  }
  return { internalBase, externalBase: s.externalUrl || internalBase };
}

function localHost(c: PhoneConnection): string {
  const addr = c.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  return `${addr.includes(':') ? `[${addr}]` : addr}:${c.localPort}`;
}
