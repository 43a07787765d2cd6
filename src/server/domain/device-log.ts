// Whether a phone's log upload is accepted, and under which name it is kept: Lync's rules (valid types and
// extensions, a size limit) as a pure function, so that every refusal is tested and says why.
import { normaliseMac } from './device.js';

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

export type LogVerdict =
  | { ok: true; type: string; fileName: string; mac: string; serial: string; /** folder of this phone's logs */ owner: string }
  | { ok: false; status: 400 | 413 | 415; reason: string };

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
