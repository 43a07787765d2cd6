// A phone worker's process (forked by phone-workers.ts): it answers the phone connections the server process hands
// it, from the catalog snapshots the server process sends, and hands back what the phone path writes (log lines,
// inventory observations, uploaded phone logs, closed connections) and asks it for image files. It opens no store,
// no port and no file of its own.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { answerCache, type CatalogSnapshot } from '../app/catalog.js';
import type { LogVerdict } from '../domain/device-log.js';
import { createPhoneHandler } from '../http/phone-handler.js';
import { phoneLogLines } from '../http/phone-log-lines.js';
import { createPhoneServer } from '../http/phone-listener.js';
import { createAppLog } from '../infra/app-log.js';
import type { FromWorker, Listener, RemoteCall, ToWorker, WireSnapshot } from './messages.js';
import { Outbox } from './outbox.js';

const send = (m: FromWorker, sent?: () => void) => void process.send!(m, undefined, {}, sent);
const log = createAppLog({ destination: new Writable({ write: (line, _enc, done) => (send({ t: 'log', line: String(line) }), done()) }) });

let snapshot: CatalogSnapshot | undefined;
let servers: Record<Listener, Server> | undefined;
const outbox = new Outbox((batch, sent) => send(batch, sent), () => snapshot!.settings.inventoryMaxWaiting);

let calls = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const call = <T>(fn: RemoteCall, ...args: unknown[]) =>
  new Promise<T>((resolve, reject) => {
    const id = ++calls;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    send({ t: 'call', id, fn, args });
  });

const withAnswers = (wire: WireSnapshot): CatalogSnapshot => ({ ...wire, answers: answerCache(wire.settings) });

function start(m: Extract<ToWorker, { t: 'start' }>): void {
  snapshot = withAnswers(m.snapshot);
  const handler = createPhoneHandler({
    catalog: { current: () => snapshot! },
    blobFile: (sha) => call<string>('blobFile', sha),
    logs: phoneLogLines(outbox, () => snapshot!.settings),
    inventory: outbox,
    receiveLog: (at, client, upload, body) => call<LogVerdict>('receiveLog', at, client, upload, body),
    judgeLog: (upload, declared) => call<LogVerdict>('judgeLog', upload, declared),
    log,
  });
  servers = { http: createPhoneServer(handler, { settings: m.settings }), https: createPhoneServer(handler, { settings: m.settings, tls: m.tls }) };
  // These servers never listen (their connections come from the server process), but Node tracks connections for the
  // header and request timeouts and closeAllConnections() only from a server's 'listening' event.
  for (const server of Object.values(servers)) server.emit('listening');
}

function stop(): void {
  for (const server of Object.values(servers ?? {})) server.closeAllConnections();
  outbox.flush(() => process.exit(0));
}

process.on('message', (m: ToWorker, handle?: Socket) => {
  switch (m.t) {
    case 'start':
      return start(m);
    case 'connection': {
      const socket = handle!;
      socket.once('close', () => outbox.closed(m.listener, m.ip));
      servers![m.listener].emit('connection', socket);
      return void socket.resume();
    }
    case 'snapshot':
      snapshot = withAnswers(m.snapshot);
      return send({ t: 'synced', snapshotId: m.snapshotId });
    case 'reply': {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error === undefined) p?.resolve(m.value);
      else p?.reject(new Error(m.error));
      return;
    }
    case 'ack':
      return outbox.acked();
    case 'stop':
      return stop();
  }
});
// The server process went away without saying stop: nothing is left to answer for.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
