// Log files phones upload (CE logs, Watson dumps, RoundTable configurations): judged by judgeLogUpload, written
// under Logs/Client/<Type>/<phone>/ (complete or absent: written aside, then renamed), indexed for the phone's page,
// and deleted after deviceLogRetentionDays.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DeviceLogDto } from '../../shared/inventory-api.js';
import { judgeLogUpload, type LogUpload, type LogVerdict } from '../domain/device-log.js';
import { AppError } from './app-error.js';
import { findDevice } from './inventory.js';
import type { Store } from './store.js';

const DAY_MS = 86_400_000;

export async function receiveDeviceLog(store: Store, at: Date, address: string, upload: LogUpload, body: Buffer): Promise<LogVerdict> {
  const s = store.settings.read();
  const verdict = judgeLogUpload(upload, body.length, { types: s.deviceLogTypes, extensions: s.deviceLogExtensions, maxBytes: s.deviceLogMaxBytes });
  if (!verdict.ok) return verdict;
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '-');
  const relPath = ['Client', verdict.type, verdict.owner, `${stamp}-${verdict.fileName}`].join('/');
  const file = join(store.paths.logDir, ...relPath.split('/'));
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await writeFile(partial, body);
  await rename(partial, file);
  store.deviceLogs.add({ mac: verdict.mac, serial: verdict.serial, type: verdict.type, fileName: verdict.fileName, relPath, size: body.length, address, receivedAt: at.toISOString() });
  return verdict;
}

export function deviceLogsOf(store: Store, id: number): DeviceLogDto[] {
  const d = findDevice(store, id);
  return store.deviceLogs.listFor(d.mac, d.serial).map(({ id: logId, type, fileName, size, receivedAt }) => ({ id: logId, type, fileName, size, receivedAt }));
}

/** The file of one of the phone's logs, for download. */
export function deviceLogFile(store: Store, id: number, logId: number): { path: string; fileName: string } {
  const d = findDevice(store, id);
  const log = store.deviceLogs.get(logId);
  const mine = log && ((d.mac && log.mac === d.mac) || (d.serial && log.serial.toUpperCase() === d.serial.toUpperCase()));
  if (!log || !mine) throw new AppError('not_found', `This phone has no log ${logId}.`);
  return { path: join(store.paths.logDir, ...log.relPath.split('/')), fileName: log.fileName };
}

/** Deletes the logs older than the retention setting: the files, then their index rows. */
export async function pruneDeviceLogs(store: Store): Promise<number> {
  const cutoff = new Date(store.now().getTime() - store.settings.read().deviceLogRetentionDays * DAY_MS).toISOString();
  const old = store.deviceLogs.receivedBefore(cutoff);
  for (const log of old) await rm(join(store.paths.logDir, ...log.relPath.split('/')), { force: true });
  store.deviceLogs.remove(old.map((l) => l.id));
  return old.length;
}
