// The inventory as CSV (RFC 4180) for Excel: one header row, then one row per phone. Phones are untrusted, so every
// field is quoted and defused like the audit log's (a value starting with = + - @ becomes text, not a formula).
import type { DeviceDto } from '../../shared/inventory-api.js';
import { quoted } from './audit-format.js';

const COLUMNS: [header: string, value: (d: DeviceDto) => string | null][] = [
  ['MAC', (d) => d.mac],
  ['Serial', (d) => d.serial],
  ['Device type', (d) => d.deviceType],
  ['Vendor', (d) => d.vendor],
  ['Model', (d) => d.model],
  ['Revision', (d) => d.revision],
  ['Locale', (d) => d.locale],
  ['Version', (d) => d.version],
  ['User', (d) => d.userName],
  ['Address', (d) => d.address],
  ['First seen', (d) => d.firstSeen],
  ['Last seen', (d) => d.lastSeen],
  ['State', (d) => d.state],
  ['Reason', (d) => d.reason],
  ['Offered version', (d) => d.offeredVersion],
  ['Offered at', (d) => d.offeredAt],
  ['Downloaded at', (d) => d.downloadedAt],
  ['Updated at', (d) => d.updatedAt],
  ['Will be offered', (d) => d.dueVersion],
];

/** The header row, with its CRLF, after a UTF-8 byte order mark: without it Excel reads the file in the machine's
 * code page and garbles non-ASCII user names. */
export const DEVICE_CSV_HEADER = `\ufeff${COLUMNS.map(([h]) => h).join(',')}\r\n`;

/** One phone as a row, with its CRLF. */
export function deviceCsvRow(d: DeviceDto): string {
  return `${COLUMNS.map(([, value]) => quoted(value(d) ?? '')).join(',')}\r\n`;
}
