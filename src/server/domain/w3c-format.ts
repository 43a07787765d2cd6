// The access log in W3C extended format, as IIS wrote it next to the OCS update service, so that the
// admins' log tools (LogParser, scripts) keep working. Times are UTC, as IIS logs them.

export const W3C_FIELDS =
  'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken';

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
  status: number;
  timeTakenMs: number;
}

/** The directives IIS starts every file with; `at` is when the file was created. */
export function w3cHeader(softwareVersion: string, at: Date): string[] {
  const [date, time] = utcDateTime(at);
  return [
    `#Software: ucupdates ${field(softwareVersion)}`,
    '#Version: 1.0',
    `#Date: ${date} ${time}`,
    `#Fields: ${W3C_FIELDS}`,
  ];
}

/** One request, always exactly 14 space-separated fields. */
export function formatAccessLine(e: AccessEntry): string {
  const [date, time] = utcDateTime(e.at);
  return [
    date,
    time,
    field(plainIp(e.serverIp)),
    field(e.method),
    field(e.uriStem),
    field(e.uriQuery),
    count(e.serverPort),
    field(e.username),
    field(plainIp(e.clientIp)),
    field(e.userAgent),
    count(e.status),
    '0',
    '0',
    count(e.timeTakenMs),
  ].join(' ');
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
  return value.replace(/[\p{Cc}\p{Z}]/gu, (c) => (c === ' ' ? '+' : encodeURIComponent(c)));
}

function count(n: number): string {
  return Number.isFinite(n) ? String(Math.max(0, Math.round(n))) : '-';
}

function utcDateTime(at: Date): [string, string] {
  if (Number.isNaN(at.getTime())) return ['-', '-'];
  const iso = at.toISOString();
  return [iso.slice(0, 10), iso.slice(11, 19)];
}
