// Raw capture of phone requests, for protocol work on dialects that are not publicly documented.
// One JSON object per line, one file per UTC day; credentials never reach the file.
import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import { plainIp } from '../../domain/w3c-format.js';
import { DailyLogWriter } from './daily-log-writer.js';
import type { LogBudget } from './log-budget.js';

export interface CaptureLogOptions {
  dir: string;
  budget: LogBudget;
  /** Bodies beyond this are cut (and flagged `truncated`). Default 64 KiB. */
  maxBodyBytes?: number;
  maxBufferedBytes?: number;
  onError?: (err: Error) => void;
  clock?: () => Date;
}

export interface CapturedRequest {
  at: Date;
  clientIp: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const REDACTED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export class CaptureLog {
  readonly #writer: DailyLogWriter;
  readonly #maxBodyBytes: number;

  constructor(options: CaptureLogOptions) {
    this.#maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.#writer = new DailyLogWriter({
      dir: options.dir,
      budget: options.budget,
      fileName: (at) => `capture-${at.toISOString().slice(0, 10)}.jsonl`,
      eol: '\n',
      maxBufferedBytes: options.maxBufferedBytes,
      onError: options.onError,
      clock: options.clock,
    });
  }

  get droppedLines(): number {
    return this.#writer.droppedLines;
  }

  /**
   * Appends one line: {at, clientIp, method, url, headers, bodyBytes, encoding: 'utf8'|'base64', body, truncated}.
   * URL and headers are already bounded by Node's header size limit. Never throws.
   */
  record(req: CapturedRequest): void {
    try {
      const truncated = req.body.length > this.#maxBodyBytes;
      const body = truncated ? req.body.subarray(0, utf8Boundary(req.body, this.#maxBodyBytes)) : req.body;
      const utf8 = isUtf8(body);
      this.#writer.write(
        JSON.stringify({
          at: req.at.toISOString(),
          clientIp: plainIp(req.clientIp),
          method: req.method,
          url: req.url,
          headers: redact(req.headers),
          bodyBytes: req.body.length,
          encoding: utf8 ? 'utf8' : 'base64',
          body: body.toString(utf8 ? 'utf8' : 'base64'),
          truncated,
        }),
      );
    } catch {
      // Malformed input (an invalid date) must not fail the request being captured.
    }
  }

  close(): Promise<void> {
    return this.#writer.close();
  }
}

function redact(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = REDACTED_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return out;
}

// Cut before a UTF-8 sequence split by the limit, so a truncated text body still reads as text.
function utf8Boundary(body: Buffer, limit: number): number {
  let end = limit;
  while (end > limit - 3 && end > 0 && ((body[end] ?? 0) & 0xc0) === 0x80) end--;
  return end;
}
