// Log files phones upload (CE logs, Watson dumps, RoundTable configurations): judged by judgeLogUpload, taken only
// from phones in the inventory and within the quotas and the Logs budget, written under Logs/Client/<Type>/<phone>/
// (complete or absent: written aside, then renamed), indexed for the phone's page, and deleted after
// deviceLogRetentionDays (or sooner, oldest first, when the Logs budget needs the room).
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { DeviceLogDto } from '../../shared/inventory-api.js';
import { judgeLogQuota, judgeLogUpload, type LogUpload, type LogVerdict } from '../domain/device-log.js';
import { PARTIAL_SUFFIX, type LogBudget } from '../infra/logs/log-budget.js';
import { AppError } from './app-error.js';
import { findDevice } from './inventory.js';
import type { Store } from './store.js';

const DAY_MS = 86_400_000;
const MB = 1024 * 1024;

export type LogReceiver = (at: Date, address: string, upload: LogUpload, body: Buffer) => Promise<LogVerdict>;

/**
 * The phone path's intake of uploads. A full disk refuses them with 507 and is reported through `onDiskFull` once
 * per outage (until an upload is kept again); other failures are thrown (the phone gets a 500).
 */
export function logReceiver(store: Store, budget: LogBudget, onDiskFull: () => void): LogReceiver {
  let diskFull = false;
  return async (at, address, upload, body) => {
    try {
      const verdict = await receiveDeviceLog(store, budget, at, address, upload, body);
      if (verdict.ok) diskFull = false;
      return verdict;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      if (!diskFull) onDiskFull();
      diskFull = true;
      return { ok: false, status: 507, reason: "the server's disk is full" };
    }
  };
}

/**
 * What can be judged of an upload without its body: its type, name and size (as declared before the body is read,
 * then as received) and whether the phone is one the inventory knows. The phone path asks before reading the body,
 * so an unknown phone's megabyte is never read.
 */
export async function judgeLogSender(store: Store, upload: LogUpload, size: number): Promise<LogVerdict> {
  const s = await store.settings.read();
  const verdict = judgeLogUpload(upload, size, { types: s.deviceLogTypes, extensions: s.deviceLogExtensions, maxBytes: s.deviceLogMaxBytes });
  if (!verdict.ok) return verdict;
  if (!(await store.devices.knows(verdict.mac, verdict.serial))) {
    return { ok: false, status: 403, reason: 'logs are taken only from phones this server knows, and this one has not checked for updates here' };
  }
  return verdict;
}

export async function receiveDeviceLog(store: Store, budget: LogBudget, at: Date, address: string, upload: LogUpload, body: Buffer): Promise<LogVerdict> {
  const s = await store.settings.read();
  const verdict = await judgeLogSender(store, upload, body.length);
  if (!verdict.ok) return verdict;
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '-');
  const relPath = ['Client', verdict.type, verdict.owner, `${stamp}-${verdict.fileName}`].join('/');
  const file = join(store.paths.logDir, ...relPath.split('/'));
  const size = body.length;
  // Room in the Logs budget first (it may wait while old files go); then the quotas and the index row in one
  // synchronous step, so that uploads arriving together cannot overrun a quota between the check and the count.
  budget.hold(file);
  try {
    if (!budget.charge(file, size)) {
      await budget.reclaim(size);
      if (!budget.charge(file, size)) return { ok: false, status: 507, reason: 'the Logs folder is at its size limit (logMaxTotalMB)' };
    }
    const quotas = { perPhoneBytes: s.deviceLogMaxPerPhoneMB * MB, totalBytes: s.deviceLogMaxTotalMB * MB };
    const refusal = judgeLogQuota(size, await store.deviceLogs.bytesOf(verdict.mac, verdict.serial), await store.deviceLogs.totalBytes(), quotas);
    if (refusal) {
      budget.refund(file, size);
      return refusal;
    }
    let id: number;
    try {
      id = await store.deviceLogs.add({ mac: verdict.mac, serial: verdict.serial, type: verdict.type, fileName: verdict.fileName, relPath, size, address, receivedAt: at.toISOString() });
    } catch (err) {
      budget.refund(file, size);
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
      return { ok: false, status: 409, reason: 'the same log of this phone arrived twice in the same millisecond' };
    }
    const partial = file + PARTIAL_SUFFIX;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(partial, body);
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true }).catch(() => undefined);
      await store.deviceLogs.remove([id]);
      budget.refund(file, size);
      throw err;
    }
    return verdict;
  } finally {
    budget.release(file);
  }
}

/** Forgets the uploads among files the Logs budget or retention deleted. */
export async function forgetDeletedLogs(store: Store, paths: readonly string[]): Promise<void> {
  const relPaths = paths.map((p) => relative(store.paths.logDir, p).split(sep).join('/')).filter((p) => p.startsWith('Client/'));
  if (relPaths.length > 0) await store.deviceLogs.removePaths(relPaths);
}

export async function deviceLogsOf(store: Store, id: number): Promise<DeviceLogDto[]> {
  const d = await findDevice(store, id);
  return (await store.deviceLogs.listFor(d.mac, d.serial)).map(({ id: logId, type, fileName, size, receivedAt }) => ({ id: logId, type, fileName, size, receivedAt }));
}

/** The file of one of the phone's logs, for download. */
export async function deviceLogFile(store: Store, id: number, logId: number): Promise<{ path: string; fileName: string }> {
  const d = await findDevice(store, id);
  const log = await store.deviceLogs.get(logId);
  const mine = log && ((d.mac && log.mac === d.mac) || (d.serial && log.serial.toUpperCase() === d.serial.toUpperCase()));
  if (!log || !mine) throw new AppError('not_found', `This phone has no log ${logId}.`);
  return { path: join(store.paths.logDir, ...log.relPath.split('/')), fileName: log.fileName };
}

/** Deletes the logs older than the retention setting: the files, then their index rows. */
export async function pruneDeviceLogs(store: Store, budget: LogBudget): Promise<number> {
  const cutoff = new Date(store.now().getTime() - (await store.settings.read()).deviceLogRetentionDays * DAY_MS).toISOString();
  const old = await store.deviceLogs.receivedBefore(cutoff);
  await budget.remove(old.map((log) => join(store.paths.logDir, ...log.relPath.split('/'))));
  await store.deviceLogs.remove(old.map((l) => l.id));
  return old.length;
}
