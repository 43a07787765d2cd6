// The phone path's logs, wired: the OCS request audit log, the IIS-style access log and the raw capture, each a
// DailyLogWriter in its own folder under Logs/ (as OCS laid them out), all with the phones' uploads inside one disk
// budget (logMaxTotalMB) and the writers' folders under age retention (logRetentionDays).
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { AUDIT_HEADER, auditFileName } from './domain/audit-format.js';
import { w3cFileName, w3cHeader, type AccessLogFields } from './domain/w3c-format.js';
import { CaptureLog } from './infra/logs/capture-log.js';
import { DailyLogWriter } from './infra/logs/daily-log-writer.js';
import { LogBudget } from './infra/logs/log-budget.js';
import { logFolders } from './infra/logs/log-folders.js';
import type { PhoneLogSink } from './http/phone-log-lines.js';
import type { Settings } from '../shared/settings.js';

export interface PhoneLogService {
  /** The budget of everything under Logs/, phone uploads included. */
  budget: LogBudget;
  /** Writes the lines the phone path formats (http/phone-log-lines.ts), here or in a phone worker. */
  sink: PhoneLogSink;
  close(): Promise<void>;
}

export interface PhoneLogOptions {
  clock?: () => Date;
  /** Files the budget or the retention deleted (phone uploads among them lose their index rows). */
  onDeleted?: (paths: string[]) => void;
}

/** Opens the logs once the budget has counted what is on disk and brought it within the settings (the first pass). */
export async function openPhoneLogs(logDir: string, settings: () => Settings, log: Logger, version: string, opts: PhoneLogOptions = {}): Promise<PhoneLogService> {
  const dirs = logFolders(logDir);
  const { clock } = opts;
  const budget = new LogBudget({
    root: logDir,
    limits: () => {
      const s = settings();
      return { maxBytes: s.logMaxTotalMB * 1024 * 1024, maxAgeDays: s.logRetentionDays };
    },
    agedDirs: [dirs.audit, dirs.access, dirs.capture],
    clock,
    onDeleted: (paths) => {
      log.info({ files: paths.length }, 'old log files deleted to keep the Logs folder within its size and age limits');
      opts.onDeleted?.(paths);
    },
    onError: (err) => log.error({ err }, 'log retention failed'),
  });
  // A Logs folder that cannot be read must not stop the service: its writers then report their own failures.
  await budget.start().catch((err: unknown) => log.error({ err }, 'cannot count the Logs folder; its size is counted from now on'));
  const onError = (what: string) => (err: Error) =>
    (err as NodeJS.ErrnoException).code === 'ENOSPC'
      ? log.error(`The disk is full: ${what} log lines are dropped until there is room.`)
      : log.error({ err }, `cannot write the ${what} log; lines are dropped until it recovers`);
  const server = () => settings().serverName || hostname().split('.')[0]!.toLowerCase();
  const audit = new DailyLogWriter({
    dir: dirs.audit,
    budget,
    fileName: (at) => auditFileName(server(), at),
    header: () => AUDIT_HEADER,
    onError: onError('audit'),
    clock,
  });
  // Each line comes with its field set: when the setting changes, the file declares the new set before its first line.
  let fields: AccessLogFields = settings().accessLogFields;
  const access = new DailyLogWriter({
    dir: dirs.access,
    budget,
    fileName: w3cFileName,
    header: (at) => w3cHeader(version, at, fields),
    headerOnAppend: true,
    onError: onError('access'),
    clock,
  });
  const capture = new CaptureLog({ dir: dirs.capture, budget, maxBodyBytes: settings().maxRequestBytes, onError: onError('capture'), clock });
  const stopRetention = budget.startRetention();

  return {
    budget,
    sink: {
      audit: (line) => audit.write(line),
      access(line, lineFields) {
        if (lineFields !== fields) {
          fields = lineFields;
          access.headerChanged();
        }
        access.write(line);
      },
      capture: (request) => capture.record(request),
    },
    async close() {
      stopRetention();
      await Promise.all([audit.close(), access.close(), capture.close()]);
    },
  };
}
