// Whether a phone's log upload is accepted, and under which name it is kept: Lync's rules (valid types and
// extensions, a size limit) and our quotas as pure functions, so that every refusal is tested and says why.
import { normaliseMac } from '../../shared/mac.js';

/** A log upload as the phone described it (phone/dialect.ts reads it off the wire). */
export interface LogUpload {
  type: string;
  fileName: string;
  macRaw: string;
  serial: string;
}

export interface LogRules {
  types: readonly string[];
  extensions: readonly string[];
  maxBytes: number;
}

/**
 * Status codes: 400 malformed, 415 a file type not taken, 413 too large (the file, or for what the phone or all phones
 * may keep: a phone gives up on a file refused for its size rather than sending it again at once), 403 an unknown
 * phone (the request is understood, but not taken from this sender), 409 the same file twice at once, 507 no room to
 * keep it (Insufficient Storage).
 */
export type LogRefusal = { ok: false; status: 400 | 403 | 409 | 413 | 415 | 507; reason: string };

export type LogVerdict =
  | { ok: true; type: string; fileName: string; mac: string; serial: string; /** folder of this phone's logs */ owner: string }
  | LogRefusal;

export interface LogQuotas {
  perPhoneBytes: number;
  totalBytes: number;
}

export function judgeLogUpload(u: LogUpload, size: number, rules: LogRules): LogVerdict {
  const type = rules.types.find((t) => t.toLowerCase() === u.type.toLowerCase());
  if (!type) return { ok: false, status: 400, reason: `log type "${u.type}" is not accepted (${rules.types.join(', ')})` };
  // The base name only, in a safe alphabet: nothing a phone sends can choose a folder or a device name.
  const fileName = (u.fileName.split(/[\\/]/).pop() ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(-100);
  const ext = /\.[^.]+$/.exec(fileName)?.[0]?.toLowerCase();
  if (!fileName || !ext || !rules.extensions.some((e) => e.toLowerCase() === ext)) {
    return { ok: false, status: 415, reason: `file "${u.fileName}" does not have an accepted extension (${rules.extensions.join(' ')})` };
  }
  if (size === 0) return { ok: false, status: 400, reason: 'the log file is empty' };
  if (size > rules.maxBytes) return { ok: false, status: 413, reason: `the log file is larger than ${rules.maxBytes} bytes` };
  const mac = normaliseMac(u.macRaw) ?? '';
  const serial = u.serial.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64).toUpperCase();
  if (!mac && !serial) return { ok: false, status: 400, reason: 'the upload names no MAC address or serial number' };
  return { ok: true, type, fileName, mac, serial, owner: mac || `serial-${serial}` };
}

/** Whether `size` more bytes fit what the phone (`phoneBytes` kept) and all phones (`allBytes`) may keep. */
export function judgeLogQuota(size: number, phoneBytes: number, allBytes: number, q: LogQuotas): LogRefusal | undefined {
  if (phoneBytes + size > q.perPhoneBytes) {
    return { ok: false, status: 413, reason: `this phone's logs would exceed their quota of ${q.perPhoneBytes} bytes (deviceLogMaxPerPhoneMB) until older ones expire` };
  }
  if (allBytes + size > q.totalBytes) {
    return { ok: false, status: 413, reason: `the phones' logs would exceed their quota of ${q.totalBytes} bytes (deviceLogMaxTotalMB) until older ones expire` };
  }
  return undefined;
}
