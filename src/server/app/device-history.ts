// A phone's update checks as the audit log recorded them, newest first: the daily RequestHandlerAuditLog files are
// searched for its MAC address (or serial number) as bytes, and only the lines found are parsed, so a month of logs
// of a large fleet is read in well under a second.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceHistoryDto } from '../../shared/inventory-api.js';
import { parseAuditLine, quoted } from '../domain/audit-format.js';
import { normaliseMac } from '../../shared/mac.js';
import { logFolders } from '../infra/logs/log-folders.js';
import { findDevice } from './inventory.js';
import type { Store } from './store.js';

/** A day's audit file, or a later part of it (`…_ddMMyyyy.2.log`: daily-log-writer.ts splits a day into parts). */
const FILE_RE = /^RequestHandlerAuditLog_.+_(\d{2})(\d{2})(\d{4})(?:\.(\d+))?\.log$/;
/** Days read at the most: two months of logs (retention keeps 30 days by default); the budget bounds their parts. */
const MAX_DAYS = 62;

export async function deviceHistory(store: Store, id: number, limit = 200): Promise<DeviceHistoryDto> {
  const device = await findDevice(store, id);
  const dir = logFolders(store.paths.logDir).audit;
  const files = (await readdir(dir).catch(() => [] as string[]))
    .flatMap((name) => {
      const m = FILE_RE.exec(name);
      return m ? [{ name, day: `${m[3]}${m[2]}${m[1]}`, part: Number(m[4] ?? 1) }] : [];
    })
    // Newest first: by day, then by part within the day.
    .sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : b.part - a.part));
  const days = [...new Set(files.map((f) => f.day))].slice(0, MAX_DAYS);
  const read = files.filter((f) => f.day >= (days.at(-1) ?? ''));
  // The log has the MAC as the phone wrote it: look for the usual notations of it, and for the serial number, each
  // as the log writes it (quoted, and defused if it looks like a formula).
  const needles = [...macNotations(device.mac), device.serial].filter(Boolean).map((s) => Buffer.from(quoted(s)));
  const isThisPhone = (mac: string, serial: string) =>
    device.mac ? normaliseMac(mac) === device.mac : serial.toUpperCase() === device.serial.toUpperCase();

  const entries: DeviceHistoryDto['entries'] = [];
  for (const { name } of read) {
    const text = await readFile(join(dir, name));
    const found: DeviceHistoryDto['entries'] = [];
    for (const line of linesContaining(text, needles)) {
      const r = parseAuditLine(line);
      if (!r.ok || !isThisPhone(r.record.mac, r.record.serial)) continue;
      const { loggedAt, hostAddress, userName, requested, response } = r.record;
      found.push({
        at: loggedAt,
        address: hostAddress,
        user: userName,
        requested: requested.map((m) => `${m.fileName};${m.version};${m.timestamp}`),
        response: response.map((m) => m.fileName),
      });
    }
    entries.push(...found.reverse());
    if (entries.length > limit) return { entries: entries.slice(0, limit), truncated: true };
  }
  return { entries, truncated: false };
}

/** 0021630F207B as 0021630F207B, 00-21-63-0F-20-7B, 00:21:63:0F:20:7B and 0021.630F.207B, upper and lower case. */
function macNotations(mac: string): string[] {
  if (!mac) return [];
  const pairs = mac.match(/../g)!;
  const forms = [mac, pairs.join('-'), pairs.join(':'), mac.match(/..../g)!.join('.')];
  return [...forms, ...forms.map((f) => f.toLowerCase())];
}

/** The lines of `text` that contain one of the needles, in file order, each once. */
function linesContaining(text: Buffer, needles: Buffer[]): string[] {
  const starts = new Set<number>();
  for (const needle of needles) {
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) {
      starts.add(text.lastIndexOf(10, i) + 1);
    }
  }
  return [...starts]
    .sort((a, b) => a - b)
    .map((start) => {
      const end = text.indexOf(10, start);
      return text.subarray(start, end < 0 ? undefined : end).toString('utf8');
    });
}
