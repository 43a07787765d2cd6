// Append-only files per day (audit, access and capture logs), each day split into parts of the log budget's part
// size: `name.log`, then `name.2.log`, `name.3.log`... (the first part keeps the OCS/IIS name). Logging must never
// hurt the request path: write() is synchronous, never throws and never waits for the disk. Every line is charged to
// the budget before it is queued; when the budget is spent, the disk cannot keep up, or fails, lines are dropped and
// counted rather than written past the budget or held in memory without bound.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogBudget } from './log-budget.js';

export interface DailyLogWriterOptions {
  dir: string;
  /** Charged for every line and header; its part size splits a day's file. */
  budget: LogBudget;
  /** The day's file for a moment; when the name changes the writer rolls over (so this decides local vs UTC days). */
  fileName: (at: Date) => string;
  /** Written when a file is created (or found empty); computed when the writer takes the file up. */
  header?: (at: Date) => string | readonly string[];
  /** Also write the header when continuing a file that has lines (after a restart): W3C directives, which IIS writes
   * whenever it opens a log, so that lines after a changed field set follow their own #Fields. Default false. */
  headerOnAppend?: boolean;
  /** Appended to every line and header line. Default '\r\n', as the Windows servers wrote these logs. */
  eol?: string;
  /** Memory held for a slow disk; lines beyond it are dropped. Default 8 MiB. */
  maxBufferedBytes?: number;
  clock?: () => Date;
  /** Called once per outage: on the first failure after the writer last wrote successfully. */
  onError?: (err: Error) => void;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;

interface FileHooks {
  readonly budget: LogBudget;
  readonly maxBufferedBytes: number;
  dropped(lines: number): void;
  failed(err: unknown): void;
  wrote(): void;
}

export class DailyLogWriter {
  readonly #opts: DailyLogWriterOptions;
  readonly #eol: string;
  readonly #clock: () => Date;
  readonly #hooks: FileHooks;
  readonly #closing = new Set<Promise<void>>();
  #file: PartFile | undefined;
  #dropped = 0;
  #failing = false;
  #retryAt = 0;
  #retryDelay = FIRST_RETRY_MS;
  #closed = false;
  #nameSecond = NaN;
  #name = '';
  #headerDue = false;

  constructor(options: DailyLogWriterOptions) {
    this.#opts = options;
    this.#eol = options.eol ?? '\r\n';
    this.#clock = options.clock ?? (() => new Date());
    this.#hooks = {
      budget: options.budget,
      maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
      dropped: (lines) => (this.#dropped += lines),
      failed: (err) => this.#failed(err),
      wrote: () => this.#wrote(),
    };
  }

  /** Lines lost since start: over the budget or the buffer bound, during an I/O failure, or written after close(). */
  get droppedLines(): number {
    return this.#dropped;
  }

  /** Queues one line (it must not contain line breaks; the formatters guarantee that). */
  write(line: string): void {
    try {
      if (this.#closed) return void this.#dropped++;
      const now = this.#clock();
      // The name can only change with the clock's second: compute it once per second, not once per line.
      const second = Math.floor(now.getTime() / 1000);
      if (second !== this.#nameSecond) {
        this.#nameSecond = second;
        this.#name = this.#opts.fileName(now);
      }
      const name = this.#name;
      const before = this.#file;
      let file = before;
      if (!file || file.day !== name) file = this.#openPart(name, this.#lastPart(name), now);
      else if (file.failed && now.getTime() >= this.#retryAt) file = this.#openPart(name, file.part, now);
      // A header that changed goes in front of the line, in one piece with it (a file taken up now has it already).
      let text = line + this.#eol;
      const redeclare = this.#headerDue && file === before;
      if (redeclare) text = this.#headerText(now) + text;
      let bytes = Buffer.byteLength(text);
      const { budget } = this.#opts;
      const size = budget.sizeOf(file.path);
      if (size > 0 && size + bytes > budget.partBytes) {
        file = this.#openPart(name, file.part + 1, now);
        if (redeclare) bytes = Buffer.byteLength((text = line + this.#eol));
      }
      if (file.write(text, bytes) || file !== before) this.#headerDue = false;
    } catch (err) {
      this.#dropped++;
      this.#failed(err);
    }
  }

  /** The header has changed (a W3C field set): the current file gets it again before its next line. */
  headerChanged(): void {
    this.#headerDue = true;
  }

  /** Flushes and closes the current file; later writes are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#file) this.#retire(this.#file);
    this.#file = undefined;
    await Promise.all(this.#closing);
  }

  #openPart(day: string, part: number, now: Date): PartFile {
    if (this.#file) this.#retire(this.#file);
    return (this.#file = new PartFile(day, part, this.#opts.dir, this.#hooks, this.#headerText(now), this.#opts.headerOnAppend ?? false));
  }

  /** The day's last part the budget knows of (after a restart, the one to continue). */
  #lastPart(day: string): number {
    let last = 1;
    for (const name of this.#opts.budget.namesIn(this.#opts.dir)) last = Math.max(last, partNumber(day, name));
    return last;
  }

  // Retries back off exponentially; the error is reported once until a write succeeds again.
  #failed(err: unknown): void {
    this.#retryAt = this.#clock().getTime() + this.#retryDelay;
    this.#retryDelay = Math.min(this.#retryDelay * 2, MAX_RETRY_MS);
    if (this.#failing) return;
    this.#failing = true;
    try {
      this.#opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // A faulty error handler must not turn a logging problem into a crash.
    }
  }

  #wrote(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#retryDelay = FIRST_RETRY_MS;
  }

  #headerText(at: Date): string {
    const header = this.#opts.header?.(at) ?? [];
    return (typeof header === 'string' ? [header] : header).map((l) => l + this.#eol).join('');
  }

  #retire(file: PartFile): void {
    const done = file.end();
    this.#closing.add(done);
    void done.then(() => this.#closing.delete(done));
  }
}

/** Part n of a day's file: `day` itself for the first, else the number before the extension (`u_ex261202.2.log`). */
export function partFileName(day: string, part: number): string {
  if (part === 1) return day;
  const dot = day.lastIndexOf('.');
  return dot < 0 ? `${day}.${part}` : `${day.slice(0, dot)}.${part}${day.slice(dot)}`;
}

/** Which part of `day` the file `name` is (partFileName read back); 0 if it is not one. */
function partNumber(day: string, name: string): number {
  if (name === day) return 1;
  const n = Number(/\.([1-9]\d{0,8})(?:\.[^.]*)?$/.exec(name)?.[1] ?? 0);
  return n > 1 && partFileName(day, n) === name ? n : 0;
}

/** One part of a day's file: held against deletion while open; lines are held (bounded) while it opens, then streamed. */
class PartFile {
  failed = false;
  readonly path: string;
  /** Settles (never rejects) when the file is closed or failed to open. */
  readonly done: Promise<void>;
  #markDone!: () => void;
  #stream: WriteStream | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #batch = '';
  #batchLines = 0;
  #batchBytes = 0;
  #flushScheduled = false;
  #ending = false;

  constructor(
    readonly day: string,
    readonly part: number,
    dir: string,
    private readonly hooks: FileHooks,
    header: string,
    headerOnAppend: boolean,
  ) {
    this.path = join(dir, partFileName(day, part));
    hooks.budget.hold(this.path);
    this.done = new Promise<void>((resolve) => (this.#markDone = resolve)).then(() => hooks.budget.release(this.path));
    void this.#open(dir, header, headerOnAppend);
  }

  /** Queues one line (with what goes before it); false if it was dropped. */
  write(text: string, bytes: number): boolean {
    if (this.failed) return this.#drop();
    const stream = this.#stream;
    // Lengths in UTF-16 units: close enough to bytes for a memory bound, and free to compute.
    const held = stream ? stream.writableLength + this.#batch.length : this.#pendingBytes;
    if (held >= this.hooks.maxBufferedBytes) return this.#drop();
    if (!this.hooks.budget.charge(this.path, bytes)) return this.#drop();
    if (stream) {
      // Lines are batched into one write per event-loop turn: a write per line costs more than the request itself.
      this.#batch += text;
      this.#batchLines++;
      this.#batchBytes += bytes;
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(this.#flush);
      }
    } else {
      this.#pending.push(text);
      this.#pendingBytes += bytes;
    }
    return true;
  }

  #drop(): false {
    this.hooks.dropped(1);
    return false;
  }

  end(): Promise<void> {
    this.#ending = true;
    if (this.#stream) {
      this.#flush();
      this.#stream.end();
    }
    return this.done;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (!this.#stream || this.#batchLines === 0) return;
    this.#streamWrite(this.#batch, this.#batchLines, this.#batchBytes);
    this.#batch = '';
    this.#batchLines = 0;
    this.#batchBytes = 0;
  };

  // Lines the disk did not take are counted as dropped and given back to the budget.
  #streamWrite(text: string, lines: number, bytes: number): void {
    this.#stream!.write(text, (err) => {
      if (!err) return this.hooks.wrote();
      this.hooks.dropped(lines);
      this.hooks.budget.refund(this.path, bytes);
    });
  }

  async #open(dir: string, header: string, headerOnAppend: boolean): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
      // Append mode, and the header into an empty file (or always, if asked): a restart continues today's last part.
      const handle = await open(this.path, 'a');
      let head: string;
      try {
        head = headerOnAppend || (await handle.stat()).size === 0 ? header : '';
      } catch (err) {
        void handle.close().catch(() => undefined);
        throw err;
      }
      const stream = createWriteStream(this.path, { fd: handle });
      stream.on('error', (err) => this.#fail(err));
      stream.once('close', this.#markDone);
      this.#stream = stream;
      const pending = this.#pending;
      this.#pending = [];
      this.#pendingBytes = 0;
      const headBytes = Buffer.byteLength(head);
      if (head && this.hooks.budget.charge(this.path, headBytes)) this.#streamWrite(head, 0, headBytes);
      for (const text of pending) this.#streamWrite(text, 1, Buffer.byteLength(text));
      if (this.#ending) stream.end();
    } catch (err) {
      this.#fail(err);
      this.#markDone();
    }
  }

  // Lines already handed to a failed stream are counted by their write callbacks; held ones here.
  #fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.hooks.dropped(this.#pending.length + this.#batchLines);
    this.hooks.budget.refund(this.path, this.#pendingBytes + this.#batchBytes);
    this.#batch = '';
    this.#batchLines = 0;
    this.#batchBytes = 0;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.hooks.failed(err);
  }
}
