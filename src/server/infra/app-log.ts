// The server's own log (start, stop, warnings, failures): pino, as JSON lines, or readable lines on a terminal.
import { pino, type Logger } from 'pino';

export function createAppLog(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino({ level: opts.level ?? process.env.UCUPDATES_LOG_LEVEL ?? 'info', base: undefined }, (opts.destination ?? process.stderr) as never);
}
