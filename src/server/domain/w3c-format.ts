// The access log in W3C extended format, as IIS wrote it next to the OCS update service, so that the
// admins' log tools (goaccess, LogParser, scripts) keep working. Times are UTC, as IIS logs them.
import type { Settings } from '../../shared/settings.js';

export type AccessLogFields = Settings['accessLogFields'];

/**
 * iis7: the set OCS servers' IIS 7 wrote. iis85: IIS 8.5's default set (goaccess's `--log-format=W3C` expects
 * exactly it), then sc-bytes and cs-bytes. IIS itself writes those two before time-taken; after it, they are still
 * declared W3C for any tool that reads #Fields, and goaccess's preset, which stops at time-taken, reads every line.
 */
export const W3C_FIELDS: Record<AccessLogFields, string> = {
  iis7: 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken',
  iis85: 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken sc-bytes cs-bytes',
};

export interface AccessEntry {
  at: Date;
  serverIp: string;
  method: string;
  uriStem: string;
  /** Without the leading '?'; '' when there is none. */
  uriQuery: string;
  serverPort: number;
  /** The authenticated user, '' for anonymous. */
  username: string;
  clientIp: string;
  userAgent: string;
  /** The Referer header, '' when there is none. */
  referer: string;
  status: number;
  timeTakenMs: number;
  /** What went out on the connection for this request: status line, headers and the body as far as it was sent. */
  bytesSent: number;
  /** What came in: request line, headers and the body as far as it was read. */
  bytesReceived: number;
}

/** The directives IIS starts every file with (and writes again when it reopens one); `at` is when they are written. */
export function w3cHeader(softwareVersion: string, at: Date, fields: AccessLogFields): string[] {
  const [date, time] = utcDateTime(at);
  return [
    `#Software: ucupdates ${field(softwareVersion)}`,
    '#Version: 1.0',
    `#Date: ${date} ${time}`,
    `#Fields: ${W3C_FIELDS[fields]}`,
  ];
}

/** One request: always exactly one field per name in W3C_FIELDS[fields], space-separated. */
export function formatAccessLine(e: AccessEntry, fields: AccessLogFields): string {
  const [date, time] = utcDateTime(e.at);
  const head = `${date} ${time} ${field(plainIp(e.serverIp))} ${field(e.method)} ${field(e.uriStem)} ${field(e.uriQuery)} ${count(e.serverPort)} ${field(e.username)} ${field(plainIp(e.clientIp))} ${field(e.userAgent)}`;
  const status = `${count(e.status)} 0 0 ${count(e.timeTakenMs)}`;
  return fields === 'iis7' ? `${head} ${status}` : `${head} ${field(e.referer)} ${status} ${count(e.bytesSent)} ${count(e.bytesReceived)}`;
}

/** IIS's daily file name (UTF-8 "u_" prefix, rolled over on UTC days like IIS by default). */
export function w3cFileName(at: Date): string {
  return `u_ex${utcDateTime(at)[0].slice(2).replaceAll('-', '')}.log`;
}

/** "::ffff:10.1.1.1" (an IPv4 client on a dual-stack socket) → "10.1.1.1"; other addresses unchanged. */
export function plainIp(ip: string): string {
  return ip.replace(/^::ffff:(?=\d{1,3}(\.\d{1,3}){3}$)/i, '');
}

// Spaces become '+' as IIS does (Microsoft+UCPhone+Device); other whitespace and control characters are
// percent-encoded, so that no value can add a field or a line.
function field(value: string): string {
  if (value === '') return '-';
  // Printable ASCII, the usual case, needs only its spaces replaced: no Unicode scan, no callback per match.
  if (PRINTABLE_ASCII.test(value)) return value.includes(' ') ? value.replaceAll(' ', '+') : value;
  return value.replace(/[\p{Cc}\p{Z}]/gu, (c) => (c === ' ' ? '+' : encodeURIComponent(c)));
}
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function count(n: number): string {
  return Number.isFinite(n) ? String(Math.max(0, Math.round(n))) : '-';
}

function utcDateTime(at: Date): [string, string] {
  if (Number.isNaN(at.getTime())) return ['-', '-'];
  const iso = at.toISOString();
  return [iso.slice(0, 10), iso.slice(11, 19)];
}
