// A phone worker's log lines and inventory observations, sent to the server process in batches: one IPC message
// per FLUSH_MS instead of several per request. At most IN_FLIGHT batches wait for the server process's ack; while it
// is behind, entries gather here up to a bound and the rest are counted as dropped (it says how many).
import type { AccessLogFields } from '../domain/w3c-format.js';
import type { PhoneInventory } from '../http/phone-handler.js';
import type { PhoneLogSink } from '../http/phone-log-lines.js';
import type { CapturedRequest } from '../infra/logs/capture-log.js';
import type { Batch, Listener } from './messages.js';

const FLUSH_MS = 10;
const IN_FLIGHT = 4;

export class Outbox implements PhoneLogSink, PhoneInventory {
  private batch = Outbox.empty();
  private entries = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `maxWaiting`: entries kept while the server process is behind (the inventory's inventoryMaxWaiting). */
  constructor(
    private readonly send: (batch: Batch, sent?: () => void) => void,
    private readonly maxWaiting: () => number,
  ) {}

  audit(line: string): void {
    if (this.room('line')) this.batch.audit.push(line);
  }

  access(line: string, fields: AccessLogFields): void {
    if (this.room('line')) this.batch.access.push([line, fields]);
  }

  capture(request: CapturedRequest): void {
    if (this.room('line')) this.batch.captures.push(request);
  }

  check(...[at, address, request, decision, judgedAs]: Parameters<PhoneInventory['check']>): void {
    // The inventory reads a decision's offers and reason; its explanation stays here (it is most of its bytes).
    if (this.room('observation')) this.batch.checks.push([at, address, request, { offers: decision.offers, reason: decision.reason, langList: [], trace: [] }, judgedAs]);
  }

  download(...observation: Parameters<PhoneInventory['download']>): void {
    if (this.room('observation')) this.batch.downloads.push(observation);
  }

  /** Never dropped: the server process counts open connections by it. */
  closed(listener: Listener, ip: string): void {
    this.batch.closed.push([listener, ip]);
    this.entries++;
    this.schedule();
  }

  /** The server process wrote a batch. */
  acked(): void {
    this.inFlight--;
    if (this.entries > 0) this.schedule();
  }

  /** Sends what is left, whatever is in flight (the worker is stopping); `sent` once it is on its way. */
  flush(sent: () => void): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.entries > 0 || this.batch.droppedLines + this.batch.droppedObservations > 0) this.sendNow(sent);
    else sent();
  }

  private room(kind: 'line' | 'observation'): boolean {
    if (this.entries >= this.maxWaiting()) {
      if (kind === 'line') this.batch.droppedLines++;
      else this.batch.droppedObservations++;
      return false;
    }
    this.entries++;
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (this.timer || this.inFlight >= IN_FLIGHT) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.inFlight < IN_FLIGHT) this.sendNow();
    }, FLUSH_MS);
  }

  private sendNow(sent?: () => void): void {
    const batch = this.batch;
    this.batch = Outbox.empty();
    this.entries = 0;
    this.inFlight++;
    this.send(batch, sent);
  }

  private static empty(): Batch {
    return { t: 'batch', audit: [], access: [], captures: [], checks: [], downloads: [], droppedLines: 0, droppedObservations: 0, closed: [] };
  }
}
