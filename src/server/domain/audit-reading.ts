// An old server's request audit log read back as the inventory's observations, pure: the Logging DateTime in the
// notations real servers wrote, and each line as the update check the phone path would have recorded.
import type { AuditRecord } from './audit-format.js';
import { normaliseMac } from '../../shared/mac.js';
import type { DeviceRequest } from './device.js';
import { deviceIdentity, reportedVersion, type CheckObservation } from './device-state.js';

export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

/** Local fields of the server that wrote the line (the log holds no zone). */
export interface LocalDateTime extends CalendarDay {
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;

/**
 * The day in `RequestHandlerAuditLog_<server>_<ddMMyyyy>.log` (OCS's "TTMMJJJJ"), or in a later part of our own
 * (`…_<ddMMyyyy>.2.log`), if the name has a real one.
 */
export function auditFileDate(fileName: string): CalendarDay | undefined {
  const m = /_(\d{2})(\d{2})(\d{4})(?:\.\d+)?\.log$/i.exec(fileName);
  const d = m && { year: Number(m[3]), month: Number(m[2]), day: Number(m[1]) };
  return d && isDate(d) ? d : undefined;
}

const DATE_TIME = /^(\d{1,4})[-./](\d{1,2})[-./](\d{1,4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:\s*([AP]M))?$/i;

/**
 * The Logging DateTime in any notation seen: `03-06-2009 17:07:20`, `05.04.2009 16:30:13`, `6/30/2009 4:47:50 PM`
 * (and `2009-03-06 17:07:20`). OCS formatted it month first with the culture's separator (in each known sample the
 * phone's own Request DateTime, day first, names the same day), so month first is the default; when both readings
 * are dates, the one within a day of the file name's date wins. Returns an error message for anything else.
 */
export function interpretAuditDate(text: string, fileDate?: CalendarDay): LocalDateTime | string {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return `"${text}" is not a date and time`;
  const [, a = '', b = '', c = '', h = '', minute = '', second = '0', half] = m;
  let hour = Number(h);
  if (half) {
    if (hour < 1 || hour > 12) return `"${text}" has no such time`;
    hour = (hour % 12) + (half.toUpperCase() === 'PM' ? 12 : 0);
  }
  const time = { hour, minute: Number(minute), second: Number(second) };
  if (time.hour > 23 || time.minute > 59 || time.second > 59) return `"${text}" has no such time`;
  const readings: CalendarDay[] =
    a.length === 4 ? [{ year: +a, month: +b, day: +c }] : c.length === 4 ? [{ year: +c, month: +a, day: +b }, { year: +c, month: +b, day: +a }] : [];
  const dates = readings.filter(isDate);
  if (dates.length === 0) return `"${text}" has no such date`;
  const distance = (d: CalendarDay) => (fileDate ? Math.abs(dayNumber(d) - dayNumber(fileDate)) : Infinity);
  const near = dates.filter((d) => distance(d) <= 1).sort((x, y) => distance(x) - distance(y))[0];
  return { ...(near ?? dates[0]!), ...time };
}

/** Where the audit log's response URL points: `.../DeviceUpdateFiles_Int/<image folder>/<file>` (or _Ext). */
const IMAGE_URL = /\/DeviceUpdateFiles_(?:Int|Ext)\/(.+)\/([^/]+)$/i;

/**
 * A line as the update check it records, at `at`: the phone's fields (MAC normalised), the installed version (of the
 * module it was offered, else as reportedVersion) and the offer read from the response URL. Its identity is
 * undefined for a phone the inventory cannot tell apart (no MAC, no serial), as on the phone path.
 */
export function auditObservation(r: AuditRecord, at: string): { identity: string | undefined; observation: CheckObservation } | string {
  const modules = r.requested.map((m) => ({ fileName: m.fileName.trim(), version: m.version.trim(), timestamp: m.timestamp.trim() }));
  const request: DeviceRequest = {
    deviceType: r.deviceType.trim(),
    mac: normaliseMac(r.mac) ?? '',
    macRaw: r.mac,
    serial: r.serial.trim(),
    vendor: r.vendor.trim(),
    model: r.model.trim(),
    revision: r.revision.trim(),
    locale: r.locale.trim(),
    userName: r.userName.trim(),
    requestTime: r.requestTime.trim(),
    modules,
  };
  const response = r.response[0];
  let offer: CheckObservation['offer'] = null;
  let installed: string | undefined;
  if (response) {
    const url = IMAGE_URL.exec(response.fileName.split(/[?#]/)[0]!);
    if (!url) return `the response "${response.fileName}" is not the URL of an image below DeviceUpdateFiles_Int or _Ext`;
    offer = { version: response.version.trim(), folder: url[1]! };
    installed = modules.find((m) => m.fileName.toLowerCase() === url[2]!.toLowerCase())?.version;
  }
  return {
    identity: deviceIdentity(request),
    observation: { at, address: r.hostAddress.trim(), request, version: installed ?? reportedVersion(modules), offer },
  };
}

function isDate(d: CalendarDay): boolean {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
}

function dayNumber(d: CalendarDay): number {
  return Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
}
