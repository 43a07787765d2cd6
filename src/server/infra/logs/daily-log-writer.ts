// One append-only file per day (audit, access and capture logs). Logging must never hurt the request path:
// write() is synchronous, never throws and never waits for the disk. When the disk cannot keep up, or fails,
// lines are dropped and counted rather than held in memory without bound.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

export interface DailyLogWriterOptions {
  dir: string;
  /** The file for a moment; when the name changes the writer rolls over (so this decides local vs UTC days). */
  fileName: (at: Date) => string;
  /** Written when a file is created (or found empty), not when appending to it after a restart. */
  header?: (at: Date) => string | readonly string[];
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
  #file: DayFile | undefined;
  #dropped = 0;
  #failing = false;
  #retryAt = 0;
  #retryDelay = FIRST_RETRY_MS;
  #closed = false;
  #nameSecond = NaN;
  #name = '';

  constructor(options: DailyLogWriterOptions) {
    this.#opts = options;
    this.#eol = options.eol ?? '\r\n';
    this.#clock = options.clock ?? (() => new Date());
    this.#hooks = {
      maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
      dropped: (lines) => (this.#dropped += lines),
      failed: (err) => this.#failed(err),
      wrote: () => this.#wrote(),
    };
  }

  /** Lines lost since start: over the buffer bound, during an I/O failure, or written after close(). */
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
      let file = this.#file;
      if (!file || file.name !== name || (file.failed && now.getTime() >= this.#retryAt)) {
        if (file) this.#retire(file);
        file = this.#file = new DayFile(name, this.#opts.dir, this.#hooks, () => this.#headerText(now));
      }
      file.write(line + this.#eol);
    } catch (err) {
      this.#dropped++;
      this.#failed(err);
    }
  }

  /** Flushes and closes the current file; later writes are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#file) this.#retire(this.#file);
    this.#file = undefined;
    await Promise.all(this.#closing);
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

  #retire(file: DayFile): void {
    const done = file.end();
    this.#closing.add(done);
    void done.then(() => this.#closing.delete(done));
  }
}

/** One day's file: lines are held (bounded) while it opens, then streamed. */
class DayFile {
  failed = false;
  /** Settles (never rejects) when the file is closed or failed to open. */
  readonly done: Promise<void>;
  #markDone!: () => void;
  #stream: WriteStream | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #batch = '';
  #batchLines = 0;
  #flushScheduled = false;
  #ending = false;
  readonly #onWritten = (err?: Error | null): void => (err ? this.hooks.dropped(1) : this.hooks.wrote());

  constructor(
    readonly name: string,
    dir: string,
    private readonly hooks: FileHooks,
    header: () => string,
  ) {
    this.done = new Promise((resolve) => (this.#markDone = resolve));
    void this.#open(dir, header);
  }

  write(text: string): void {
    if (this.failed) return this.hooks.dropped(1);
    const stream = this.#stream;
    // Lengths in UTF-16 units: close enough to bytes for a memory bound, and free to compute.
    const held = stream ? stream.writableLength + this.#batch.length : this.#pendingBytes;
    if (held >= this.hooks.maxBufferedBytes) return this.hooks.dropped(1);
    if (stream) {
      // Lines are batched into one write per event-loop turn: a write per line costs more than the request itself.
      this.#batch += text;
      this.#batchLines++;
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(this.#flush);
      }
    } else {
      this.#pending.push(text);
      this.#pendingBytes += text.length;
    }
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
    const lines = this.#batchLines;
    this.#stream.write(this.#batch, (err) => (err ? this.hooks.dropped(lines) : this.hooks.wrote()));
    this.#batch = '';
    this.#batchLines = 0;
  };

  async #open(dir: string, header: () => string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
      const path = join(dir, this.name);
      // Append mode, and the header only into an empty file: a restart continues today's file.
      const handle = await open(path, 'a');
      let head: string;
      try {
        head = (await handle.stat()).size === 0 ? header() : '';
      } catch (err) {
        void handle.close().catch(() => undefined);
        throw err;
      }
      const stream = createWriteStream(path, { fd: handle });
      stream.on('error', (err) => this.#fail(err));
      stream.once('close', this.#markDone);
      this.#stream = stream;
      const pending = this.#pending;
      this.#pending = [];
      this.#pendingBytes = 0;
      if (head) stream.write(head);
      for (const text of pending) stream.write(text, this.#onWritten);
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
    this.#batch = '';
    this.#batchLines = 0;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.hooks.failed(err);
  }
}
