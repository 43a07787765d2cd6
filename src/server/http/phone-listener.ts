// The phone listeners (HTTP and HTTPS) and what one unauthenticated client may hold there. Node's defaults keep a
// connection that trickles its request for five minutes and take any number of them; these listeners have the
// timeouts and connection caps of the settings (read at start: they are restart settings).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { Settings } from '../../shared/settings.js';
import { plainAddress } from './phone-handler.js';

export interface PhoneListenerOptions {
  /** For the log: "phone HTTP", "phone HTTPS". */
  name: string;
  settings: Pick<Settings, 'phoneHeadersTimeoutS' | 'phoneRequestTimeoutS' | 'phoneIdleTimeoutS' | 'phoneMaxConnections' | 'phoneMaxConnectionsPerAddress'>;
  /** Addresses exempt from the per-address cap (the current trustedProxies: they carry many phones). */
  trustedProxies: () => readonly string[];
  log: Logger;
  /** The certificate: an HTTPS listener. */
  tls?: SecureContextOptions;
}

/** Node checks the header and request timeouts on a timer, every 30 s by default: every second, none is more than a second late. */
const CHECK_EVERY_MS = 1000;

/**
 * The header and request timeouts are about receiving the request: a download that takes longer is not cut, while
 * it keeps moving (the idle timeout is about silence, in both directions; it also closes idle keep-alive connections).
 */
export function createPhoneListener(handler: (req: IncomingMessage, res: ServerResponse) => void, o: PhoneListenerOptions): Server {
  const s = o.settings;
  const requestTimeout = s.phoneRequestTimeoutS * 1000;
  const timeouts = {
    requestTimeout,
    headersTimeout: Math.min(s.phoneHeadersTimeoutS * 1000, requestTimeout), // Node refuses a longer one
    keepAliveTimeout: s.phoneIdleTimeoutS * 1000,
    connectionsCheckingInterval: CHECK_EVERY_MS,
  };
  const server = o.tls
    ? createHttpsServer({ ...o.tls, ...timeouts, handshakeTimeout: timeouts.headersTimeout }, handler)
    : createHttpServer(timeouts, handler);
  server.timeout = s.phoneIdleTimeoutS * 1000;
  server.maxConnections = s.phoneMaxConnections;

  const refusals = new RefusalLog(o.log, o.name);
  server.on('drop', (data?: { remoteAddress?: string }) =>
    refusals.note('', `Refused a connection from ${plainAddress(data?.remoteAddress)} to the ${o.name} listener: it has ${s.phoneMaxConnections} open connections (phoneMaxConnections).`),
  );

  // Counted before Node's own listener sets the connection up, so that a refused one costs next to nothing.
  const open = new Map<string, number>();
  server.prependListener('connection', (socket: Socket) => {
    const ip = plainAddress(socket.remoteAddress);
    const count = (open.get(ip) ?? 0) + 1;
    if (count > s.phoneMaxConnectionsPerAddress && !o.trustedProxies().includes(ip)) {
      socket.resetAndDestroy();
      refusals.note(ip, `Refused a connection from ${ip} to the ${o.name} listener: it already has ${s.phoneMaxConnectionsPerAddress} open (phoneMaxConnectionsPerAddress).`);
      return;
    }
    open.set(ip, count);
    socket.once('close', () => {
      const left = open.get(ip)! - 1;
      if (left === 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
  return server;
}

const WARN_EVERY_MS = 60_000;
/** Addresses remembered for the once-a-minute warning; an attacker with many addresses cannot grow this either. */
const MAX_WARNED = 1024;

/** Refused connections are counted, and logged at most once a minute per address (key '' for the listener's cap). */
class RefusalLog {
  private readonly warned = new Map<string, { at: number; since: number }>();
  private refused = 0;

  constructor(
    private readonly log: Logger,
    private readonly listener: string,
  ) {}

  note(key: string, sentence: string): void {
    this.refused++;
    const now = Date.now();
    const last = this.warned.get(key);
    if (last && now - last.at < WARN_EVERY_MS) return void last.since++;
    if (!last && this.warned.size >= MAX_WARNED) {
      for (const [k, w] of this.warned) if (now - w.at >= WARN_EVERY_MS) this.warned.delete(k);
      if (this.warned.size >= MAX_WARNED) return;
    }
    this.log.warn(
      { listener: this.listener, refusedSinceLastWarning: last?.since ?? 0, refusedSinceStart: this.refused },
      `${sentence} Further refusals are logged at most once a minute.`,
    );
    this.warned.set(key, { at: now, since: 0 });
  }
}
