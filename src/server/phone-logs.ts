// The phone path's logs, wired: the OCS request audit log, the IIS-style access log and the raw capture,
// each a DailyLogWriter in its own folder under Logs/ (as OCS laid them out), pruned by the retention settings.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { AUDIT_HEADER, auditFileName, formatAuditLine } from './domain/audit-format.js';
import { formatAccessLine, w3cFileName, w3cHeader } from './domain/w3c-format.js';
import { CaptureLog } from './infra/logs/capture-log.js';
import { DailyLogWriter } from './infra/logs/daily-log-writer.js';
import { logFolders } from './infra/logs/log-folders.js';
import { startRetention } from './infra/logs/log-retention.js';
import type { PhoneLogs } from './http/phone-handler.js';
import { clientIp } from './http/phone-handler.js';
import type { Settings } from '../shared/settings.js';

export interface PhoneLogService extends PhoneLogs {
  close(): Promise<void>;
}

export function openPhoneLogs(logDir: string, settings: () => Settings, log: Logger, version: string): PhoneLogService {
  const dirs = logFolders(logDir);
  const onError = (what: string) => (err: Error) => log.error({ err }, `cannot write the ${what} log; lines are dropped until it recovers`);
  const server = () => settings().serverName || hostname().split('.')[0]!.toLowerCase();
  const audit = new DailyLogWriter({
    dir: dirs.audit,
    fileName: (at) => auditFileName(server(), at),
    header: () => AUDIT_HEADER,
    onError: onError('audit'),
  });
  const access = new DailyLogWriter({ dir: dirs.access, fileName: w3cFileName, header: (at) => w3cHeader(version, at), onError: onError('access') });
  const capture = new CaptureLog({ dir: dirs.capture, maxBodyBytes: settings().maxRequestBytes, onError: onError('capture') });
  const s = settings();
  const stopRetention = startRetention(Object.values(dirs), { maxAgeDays: s.logRetentionDays, maxTotalBytes: s.logMaxTotalMB * 1024 * 1024 }, {
    onDeleted: (paths) => log.info({ paths }, 'old log files deleted (log retention)'),
    onError: (err) => log.error({ err }, 'log retention failed'),
  });

  return {
    audit(at, ip, request, result) {
      audit.write(formatAuditLine({ ...request, loggedAt: at, hostAddress: ip, requested: request.modules, response: result.logged }));
    },
    access(at: Date, req: IncomingMessage, res: ServerResponse, timeTakenMs: number, username: string) {
      const [stem = '/', query = ''] = (req.url ?? '/').split('?', 2);
      access.write(
        formatAccessLine({
          at,
          serverIp: req.socket.localAddress ?? '',
          method: req.method ?? '',
          uriStem: stem,
          uriQuery: query,
          serverPort: req.socket.localPort ?? 0,
          username: username === '-' ? '' : username,
          clientIp: clientIp(req),
          userAgent: req.headers['user-agent'] ?? '',
          status: res.statusCode,
          timeTakenMs,
        }),
      );
    },
    capture(at, req, body) {
      capture.record({ at, clientIp: clientIp(req), method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    },
    async close() {
      stopRetention();
      await Promise.all([audit.close(), access.close(), capture.close()]);
    },
  };
}
