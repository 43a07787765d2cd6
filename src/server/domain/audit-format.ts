// The request audit log as OCS 2007 R2 / Lync wrote it (Logs/Server/Audit/imageUpdates): admins open it in
// Excel and existing scripts parse it, so the format is kept byte for byte for what phones really send. Phones are
// untrusted, yet what they sent is kept: a field with a comma or a quote is quoted (RFC 4180, quotes doubled)
// rather than altered, a value Excel would run as a formula gets an apostrophe in front (taken off again when read
// back), and control characters are dropped, so one request is always one 13-field line.
import type { DeviceRequest, ModuleReport } from './device.js';
import { plainIp } from './w3c-format.js';

/** The header line (sic "Seperated"). */
export const AUDIT_HEADER =
  'Logging DateTime,User Name,User Host Address,Device Type,Request DateTime,Mac Address,Serial Number,Vendor,Model,Revision,Locale,Requested<FileName;Version;TimeStamp>[# Seperated for Multiple],Response<FileName;Version;TimeStamp>[# Seperated for Multiple]';

/** A file offered to the phone: the full URL of the image file, as OCS logged it. */
export interface AuditResponseFile {
  url: string;
  version: string;
  timestamp: string;
}

/** The phone's fields as parsed (a DeviceRequest can be spread in), plus what the server knows. */
export interface AuditEntry
  extends Pick<
    DeviceRequest,
    'userName' | 'deviceType' | 'requestTime' | 'macRaw' | 'serial' | 'vendor' | 'model' | 'revision' | 'locale'
  > {
  /** Server time of logging; its local fields are written. */
  loggedAt: Date;
  /** The client's IP address. */
  hostAddress: string;
  requested: readonly ModuleReport[];
  /** Empty when nothing is offered: the field is then empty (the line ends with a comma). */
  response: readonly AuditResponseFile[];
}

/** A line read back: every field as the phone sent it (unquoted, `""` undone, defusing undone), dates not interpreted. */
export interface AuditRecord {
  loggedAt: string;
  userName: string;
  hostAddress: string;
  deviceType: string;
  requestTime: string;
  mac: string;
  serial: string;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  requested: ModuleReport[];
  /** fileName is the URL of the offered file. */
  response: ModuleReport[];
}

export type AuditParseResult = { ok: true; record: AuditRecord } | { ok: false; error: string };

/** `RequestHandlerAuditLog_<server>_<ddMMyyyy>.log` (OCS's "TTMMJJJJ"), from the date's local fields. */
export function auditFileName(server: string, date: Date): string {
  const safeServer = server.replace(/[^A-Za-z0-9.-]/g, '_') || 'server';
  return `RequestHandlerAuditLog_${safeServer}_${pad(date.getDate())}${pad(date.getMonth() + 1)}${date.getFullYear()}.log`;
}

/** One request as a line (without line terminator). */
export function formatAuditLine(e: AuditEntry): string {
  const loggedAt = localDateTime(e.loggedAt);
  return [
    loggedAt,
    bare(defused(e.userName)),
    bare(defused(plainIp(e.hostAddress))),
    bare(defused(e.deviceType)),
    e.requestTime === '' ? loggedAt : bare(defused(e.requestTime)),
    quoted(e.macRaw),
    quoted(e.serial),
    quoted(e.vendor),
    quoted(e.model),
    quoted(e.revision),
    quoted(e.locale),
    bare(e.requested.map((m) => [m.fileName, m.version, m.timestamp].map(modulePart).join(';')).join('#')),
    bare(e.response.map((f) => [urlPart(f.url), modulePart(f.version), modulePart(f.timestamp)].join(';')).join('#')),
  ].join(',');
}

/**
 * Reads a line written by OCS, Lync or formatAuditLine. Tolerates any date notation (03-06-2009 17:07:20,
 * 05.04.2009 16:30:13, 6/30/2009 4:47:50 PM) by not interpreting dates; never throws.
 */
export function parseAuditLine(line: string): AuditParseResult {
  const text = line.trim();
  if (text === '') return fail('empty line');
  if (text.startsWith('Logging DateTime,')) return fail('header line');
  const fields = splitCsv(text);
  if (typeof fields === 'string') return fail(fields);
  if (fields.length !== 13) return fail(`expected 13 fields, found ${fields.length}`);
  // The module lists are undone part by part (parseModules); the other fields whole.
  const [loggedAt, userName, hostAddress, deviceType, requestTime, mac, serial, vendor, model, revision, locale, req, res] =
    fields.map((f, i) => (i < 11 ? undefused(f) : f)) as [string, string, string, string, string, string, string, string, string, string, string, string, string];
  const requested = parseModules(req);
  if (typeof requested === 'string') return fail(`requested modules: ${requested}`);
  const response = parseModules(res);
  if (typeof response === 'string') return fail(`response modules: ${response}`);
  return {
    ok: true,
    record: { loggedAt, userName, hostAddress, deviceType, requestTime, mac, serial, vendor, model, revision, locale, requested, response },
  };
}

// --- writing -------------------------------------------------------------------------------------------

// CR, LF and other control characters (and Unicode line/paragraph separators) would split a record.
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/gu;

// Excel runs a cell starting with one of these as a formula, quoted or not (OWASP "CSV injection"). A leading
// apostrophe makes it text. A value that starts with an apostrophe gets one more, so that taking one off when
// reading gives back exactly what the phone sent. Legitimate MACs, versions, timestamps and IPs start with a
// letter or digit, so this never alters a legitimate one.
function defused(value: string): string {
  const clean = PRINTABLE_ASCII.test(value) ? value : value.replace(CONTROL, ''); // the fast path is the usual case
  return /^[=+\-@']/.test(clean) ? `'${clean}` : clean;
}
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** defused read back: one leading apostrophe off. */
function undefused(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}

/** MAC, serial, vendor, model, revision, locale: double-quoted, `"` doubled as in RFC 4180 (the CSV export's fields too). */
export function quoted(value: string): string {
  return `"${defused(value).replaceAll('"', '""')}"`;
}

// The fields OCS wrote unquoted stay unquoted, unless a ',' or '"' in them needs quoting (RFC 4180).
function bare(value: string): string {
  return /[,"]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// Inside the module lists, ';' and '#' are the separators: in a phone's file name, version or timestamp (no phone
// sends them) they become '_'. ',' and '"' are kept: the field is quoted.
function modulePart(value: string): string {
  return defused(value).replace(/[#;]/g, '_');
}

// The URL is ours; separators in it are percent-encoded so it stays a working URL.
function urlPart(url: string): string {
  return url.replace(CONTROL, '').replace(/[,"#; ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `MM-dd-yyyy HH:mm:ss` from local fields, as OCS wrote the Logging DateTime. */
function localDateTime(d: Date): string {
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

// --- reading -------------------------------------------------------------------------------------------

function fail(error: string): AuditParseResult {
  return { ok: false, error };
}

/** RFC 4180 fields; a '"' inside an unquoted field is taken literally. Returns an error message instead of throwing. */
function splitCsv(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] !== '"') {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? undefined : comma));
      if (comma < 0) return fields;
      i = comma + 1;
      continue;
    }
    let value = '';
    i++;
    for (;;) {
      const q = line.indexOf('"', i);
      if (q < 0) return `unterminated quoted field ${fields.length + 1}`;
      value += line.slice(i, q);
      i = q + 1;
      if (line[i] !== '"') break;
      value += '"';
      i++;
    }
    fields.push(value);
    if (i === line.length) return fields;
    if (line[i] !== ',') return `unexpected text after quoted field ${fields.length}`;
    i++;
  }
}

/** `file;version;timestamp#...`; the file name may itself contain ';' (a URL), so split from the right. */
function parseModules(field: string): ModuleReport[] | string {
  const modules: ModuleReport[] = [];
  for (const part of field.split('#')) {
    if (part === '') continue;
    const last = part.lastIndexOf(';');
    const middle = last < 1 ? -1 : part.lastIndexOf(';', last - 1);
    if (middle < 0) return `"${part}" is not file;version;timestamp`;
    modules.push({
      fileName: undefused(part.slice(0, middle)),
      version: undefused(part.slice(middle + 1, last)),
      timestamp: undefused(part.slice(last + 1)),
    });
  }
  return modules;
}
