// The phone path's log lines, formatted where the request was answered (this process or a phone worker) and handed
// to a sink that writes them (phone-logs.ts, in the server process; a phone worker's sink sends them there).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatAuditLine } from '../domain/audit-format.js';
import { formatAccessLine, type AccessLogFields } from '../domain/w3c-format.js';
import type { CapturedRequest } from '../infra/logs/capture-log.js';
import type { Settings } from '../../shared/settings.js';
import { requestTraffic } from './connection-traffic.js';
import { clientIp, type PhoneLogs } from './phone-handler.js';

/** Where formatted lines go: the daily files of the server process. */
export interface PhoneLogSink {
  audit(line: string): void;
  /** `fields`: the field set the line was formatted with (the file declares a new set before its first line). */
  access(line: string, fields: AccessLogFields): void;
  capture(request: CapturedRequest): void;
}

export function phoneLogLines(sink: PhoneLogSink, settings: () => Settings): PhoneLogs {
  return {
    audit(at, ip, request, result) {
      sink.audit(formatAuditLine({ ...request, loggedAt: at, hostAddress: ip, requested: request.modules, response: result.logged }));
    },
    access(at: Date, req: IncomingMessage, res: ServerResponse, timeTakenMs: number, username: string, clientIp: string) {
      const [stem = '/', query = ''] = (req.url ?? '/').split('?', 2);
      const traffic = requestTraffic(req.socket);
      const fields = settings().accessLogFields;
      const line = formatAccessLine(
        {
          at,
          serverIp: traffic.localAddress,
          method: req.method ?? '',
          uriStem: stem,
          uriQuery: query,
          serverPort: traffic.localPort,
          username: username === '-' ? '' : username,
          clientIp,
          userAgent: req.headers['user-agent'] ?? '',
          referer: req.headers.referer ?? '',
          status: res.statusCode,
          timeTakenMs,
          bytesSent: traffic.sent,
          bytesReceived: traffic.received,
        },
        fields,
      );
      sink.access(line, fields);
    },
    capture(at, req, body) {
      sink.capture({ at, clientIp: clientIp(req), method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    },
  };
}
