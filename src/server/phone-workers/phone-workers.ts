// Phone workers: with `phoneWorkers` > 0 the server process forks that many processes that answer phones, so that
// update checks and downloads use every core. The server process keeps the phone ports: it accepts each connection,
// holds it to the connection caps (ConnectionGate, as a lone server does) and hands it to the worker with the fewest
// open. It keeps everything else too: the store, the catalog (each snapshot is sent to every worker; a change is
// answered by the admin API only once every worker has it), the log files and the inventory (workers send lines and
// observations in batches), phone log uploads and the image files. A worker that dies is replaced.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Settings } from '../../shared/settings.js';
import type { Catalog, CatalogSnapshot } from '../app/catalog.js';
import type { LogUpload, LogVerdict } from '../domain/device-log.js';
import { closeServer, listen } from '../http/listen.js';
import type { PhoneInventory } from '../http/phone-handler.js';
import type { PhoneLogSink } from '../http/phone-log-lines.js';
import { ConnectionGate } from '../http/phone-listener.js';
import type { Batch, FromWorker, Listener, RemoteCall, ToWorker, WireSnapshot } from './messages.js';

export interface PhoneWorkersOptions {
  count: number;
  /** The listeners' settings (ports, timeouts, caps) as read at start. */
  settings: Settings;
  tls: SecureContextOptions;
  catalog: Catalog;
  sink: PhoneLogSink;
  inventory: PhoneInventory;
  /** The current trustedProxies (exempt from the per-address cap). */
  trustedProxies: () => readonly string[];
  blobFile: (sha256: string) => Promise<string>;
  receiveLog: (at: Date, clientIp: string, upload: LogUpload, body: Buffer) => Promise<LogVerdict>;
  judgeLog: (upload: LogUpload, declaredBytes: number) => Promise<LogVerdict>;
  log: Logger;
}

/** How long a change waits for the workers to have it before the admin API answers anyway. */
const SYNC_TIMEOUT_MS = 5000;
const RESTART_DELAY_MS = 1000;

const WORKER_FILE = fileURLToPath(new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

interface WorkerState {
  index: number;
  synced: number;
  ready: boolean;
  /** Its open connections, by listener and address, for the gates when it dies. */
  open: Map<string, number>;
  count: number;
}

export class PhoneWorkers {
  private readonly workers = new Map<ChildProcess, WorkerState>();
  private readonly gates: Record<Listener, ConnectionGate>;
  private readonly servers: Partial<Record<Listener, Server>> = {};
  private snapshotId = 0;
  private snapshot: WireSnapshot;
  private readonly waiting = new Set<() => void>();
  private closing = false;
  http = 0;
  https = 0;
  /** Observations workers dropped while this process was behind (lines are said in the log). */
  droppedObservations = 0;

  private constructor(private readonly o: PhoneWorkersOptions) {
    this.snapshot = wire(o.catalog.current());
    o.catalog.onRefresh((snap) => this.publish(snap));
    const gate = (name: string) => new ConnectionGate({ name, settings: o.settings, trustedProxies: o.trustedProxies, log: o.log });
    this.gates = { http: gate('phone HTTP'), https: gate('phone HTTPS') };
  }

  /** Forks the workers, then listens on the phone ports (a refused 80 or 443 falls back, as listen() says). */
  static async start(o: PhoneWorkersOptions): Promise<PhoneWorkers> {
    const pool = new PhoneWorkers(o);
    try {
      await Promise.all(Array.from({ length: o.count }, (_, i) => pool.fork(i)));
      pool.http = await pool.listen('http', o.settings.httpPort, 'phone HTTP');
      pool.https = await pool.listen('https', o.settings.httpsPort, 'phone HTTPS');
      return pool;
    } catch (e) {
      await pool.close();
      throw e;
    }
  }

  /** Resolves once every worker has the newest snapshot (or after SYNC_TIMEOUT_MS, with a warning). */
  synced(): Promise<void> {
    if (this.allSynced()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.o.log.warn(`A phone worker has not taken the change after ${SYNC_TIMEOUT_MS / 1000} s: it answers phones from the rules it had until it does.`);
        done();
      }, SYNC_TIMEOUT_MS);
      this.waiting.add(done);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(Object.values(this.servers).map((s) => closeServer(s)));
    await Promise.all(
      [...this.workers.keys()].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            const kill = setTimeout(() => w.kill('SIGKILL'), 10_000);
            w.once('exit', () => (clearTimeout(kill), resolve()));
            this.post(w, { t: 'stop' });
          }),
      ),
    );
    this.wake();
  }

  private listen(listener: Listener, port: number, what: string): Promise<number> {
    const server = createServer({ pauseOnConnect: true }, (socket) => this.handOn(listener, socket));
    this.servers[listener] = server;
    return listen(server, port, undefined, this.o.log, what);
  }

  /** Counts the connection at its listener's gate and gives it to the ready worker with the fewest open. */
  private handOn(listener: Listener, socket: Socket): void {
    const ip = this.gates[listener].admit(socket);
    if (ip === undefined) return;
    let best: [ChildProcess, WorkerState] | undefined;
    for (const entry of this.workers) if (entry[1].ready && (!best || entry[1].count < best[1].count)) best = entry;
    if (!best || !best[0].connected) {
      this.gates[listener].release(ip);
      return void socket.resetAndDestroy();
    }
    const [w, state] = best;
    const key = `${listener} ${ip}`;
    state.open.set(key, (state.open.get(key) ?? 0) + 1);
    state.count++;
    w.send({ t: 'connection', listener, ip } satisfies ToWorker, socket, { keepOpen: false }, (err) => {
      if (err) this.closed(state, listener, ip);
    });
  }

  private closed(state: WorkerState, listener: Listener, ip: string): void {
    const key = `${listener} ${ip}`;
    const left = (state.open.get(key) ?? 0) - 1;
    if (left < 0) return; // already released when the worker died
    if (left === 0) state.open.delete(key);
    else state.open.set(key, left);
    state.count--;
    this.gates[listener].release(ip);
  }

  private publish(snap: CatalogSnapshot): void {
    this.snapshot = wire(snap);
    const id = ++this.snapshotId;
    for (const w of this.workers.keys()) this.post(w, { t: 'snapshot', snapshot: this.snapshot, snapshotId: id });
  }

  private allSynced(): boolean {
    for (const s of this.workers.values()) if (s.synced < this.snapshotId) return false;
    return true;
  }

  private wake(): void {
    for (const done of [...this.waiting]) done();
  }

  private fork(index: number): Promise<void> {
    const w = fork(WORKER_FILE, [], { execArgv: workerExecArgv(), serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const state: WorkerState = { index, synced: this.snapshotId, ready: false, open: new Map(), count: 0 };
    this.workers.set(w, state);
    return new Promise((resolve, reject) => {
      w.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          this.post(w, { t: 'start', settings: this.o.settings, tls: this.o.tls, snapshot: this.snapshot, snapshotId: this.snapshotId });
          state.ready = true;
          resolve();
        } else if (m.t === 'failed') reject(new Error(m.message));
        else if (m.t === 'synced') {
          state.synced = Math.max(state.synced, m.snapshotId);
          if (this.allSynced()) this.wake();
        } else this.receive(w, state, m);
      });
      w.once('exit', (code, signal) => {
        this.workers.delete(w);
        for (const [key, n] of state.open) {
          const [listener, ip] = key.split(' ') as [Listener, string];
          for (let i = 0; i < n; i++) this.gates[listener].release(ip);
        }
        state.open.clear();
        if (this.allSynced()) this.wake();
        if (!state.ready) return reject(new Error(`A phone worker stopped as it started (${signal ?? `exit code ${code}`}).`));
        if (this.closing) return;
        this.o.log.error(`Phone worker ${index} stopped (${signal ?? `exit code ${code}`}): starting another in its place.`);
        setTimeout(() => {
          if (!this.closing) this.fork(index).catch((err: unknown) => this.o.log.error({ err }, `cannot start phone worker ${index} again`));
        }, RESTART_DELAY_MS).unref();
      });
    });
  }

  private receive(w: ChildProcess, state: WorkerState, m: Exclude<FromWorker, { t: 'ready' | 'failed' | 'synced' }>): void {
    if (m.t === 'batch') return this.write(w, state, m);
    if (m.t === 'call') {
      this.run(m.fn, m.args).then(
        (value) => this.post(w, { t: 'reply', id: m.id, value }),
        (e: unknown) => this.post(w, { t: 'reply', id: m.id, error: (e as Error).message ?? String(e) }),
      );
      return;
    }
    relayLog(this.o.log, m.line, state.index);
  }

  private write(w: ChildProcess, state: WorkerState, b: Batch): void {
    const { sink, inventory } = this.o;
    for (const line of b.audit) sink.audit(line);
    for (const [line, fields] of b.access) sink.access(line, fields);
    for (const c of b.captures) sink.capture({ ...c, body: Buffer.from(c.body) });
    for (const args of b.checks) inventory.check(...args);
    for (const args of b.downloads) inventory.download(...args);
    for (const [listener, ip] of b.closed) this.closed(state, listener, ip);
    if (b.droppedLines) this.o.log.warn(`Phone worker ${state.index} dropped ${b.droppedLines} log lines: this process could not write them as fast as phones came.`);
    this.droppedObservations += b.droppedObservations;
    this.post(w, { t: 'ack' });
  }

  private run(fn: RemoteCall, args: unknown[]): Promise<unknown> {
    if (fn === 'blobFile') return this.o.blobFile(args[0] as string);
    if (fn === 'judgeLog') return this.o.judgeLog(args[0] as LogUpload, args[1] as number);
    const [at, client, upload, body] = args as [Date, string, LogUpload, Uint8Array];
    return this.o.receiveLog(at, client, upload, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  }

  private post(w: ChildProcess, m: ToWorker): void {
    if (w.connected) w.send(m);
  }
}

const wire = ({ answers: _answers, ...rest }: CatalogSnapshot): WireSnapshot => rest;

/** The worker runs the same code as this process: from the sources through tsx when this process does. */
function workerExecArgv(): string[] {
  if (!WORKER_FILE.endsWith('.ts') || process.execArgv.some((a) => a.includes('tsx'))) return process.execArgv;
  return [...process.execArgv, '--import', import.meta.resolve('tsx')];
}

/** A worker's app-log line, logged here at its level, marked with the worker. */
function relayLog(log: Logger, line: string, worker: number): void {
  try {
    const { level, time: _time, msg, ...fields } = JSON.parse(line) as { level: number; time?: number; msg?: string };
    const label = (log.levels.labels[level] ?? 'info') as 'info';
    log[label]({ ...fields, phoneWorker: worker }, msg);
  } catch {
    log.info({ phoneWorker: worker }, line.trim());
  }
}
