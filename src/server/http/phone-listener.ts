// The phone listeners (HTTP and HTTPS) and what one unauthenticated client may hold there. Node's defaults keep a
// connection that trickles its request for five minutes and take any number of them; these listeners have the
// timeouts and connection caps of the settings (read at start: they are restart settings).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { Settings } from '../../shared/settings.js';
import { closeServer, listen } from './listen.js';
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
  const server = createPhoneServer(handler, o);
  const gate = new ConnectionGate(o);
  // Counted before Node's own listener sets the connection up, so that a refused one costs next to nothing.
  server.prependListener('connection', (socket: Socket) => {
    const ip = gate.admit(socket);
    if (ip !== undefined) socket.once('close', () => gate.release(ip));
  });
  return server;
}

/** The server with the phone timeouts; its connections come through a ConnectionGate (here or in the server process). */
export function createPhoneServer(handler: (req: IncomingMessage, res: ServerResponse) => void, o: Pick<PhoneListenerOptions, 'settings' | 'tls'>): Server {
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
  return server;
}

/** What unauthenticated clients may hold on one listener: phoneMaxConnections in all, phoneMaxConnectionsPerAddress each. */
export class ConnectionGate {
  private readonly open = new Map<string, number>();
  private total = 0;
  private readonly refusals: RefusalLog;

  constructor(private readonly o: Omit<PhoneListenerOptions, 'tls'>) {
    this.refusals = new RefusalLog(o.log, o.name);
  }

  /** The connection's address when it may stay (count it until release); else it is reset at once, and undefined. */
  admit(socket: Socket): string | undefined {
    const s = this.o.settings;
    const ip = plainAddress(socket.remoteAddress);
    if (this.total >= s.phoneMaxConnections) {
      socket.resetAndDestroy();
      this.refusals.note('', `Refused a connection from ${ip} to the ${this.o.name} listener: it has ${s.phoneMaxConnections} open connections (phoneMaxConnections).`);
      return undefined;
    }
    const count = (this.open.get(ip) ?? 0) + 1;
    if (count > s.phoneMaxConnectionsPerAddress && !this.o.trustedProxies().includes(ip)) {
      socket.resetAndDestroy();
      this.refusals.note(ip, `Refused a connection from ${ip} to the ${this.o.name} listener: it already has ${s.phoneMaxConnectionsPerAddress} open (phoneMaxConnectionsPerAddress).`);
      return undefined;
    }
    this.open.set(ip, count);
    this.total++;
    return ip;
  }

  release(ip: string): void {
    const left = (this.open.get(ip) ?? 1) - 1;
    if (left <= 0) this.open.delete(ip);
    else this.open.set(ip, left);
    this.total--;
  }
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

export interface PhoneListeners {
  http: number;
  https: number;
  close(): Promise<void>;
}

/** This process's phone HTTP and HTTPS listeners, listening (a refused port 80 or 443 falls back as listen() says). */
export async function openPhoneListeners(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  o: Omit<PhoneListenerOptions, 'name' | 'tls' | 'settings'> & { settings: PhoneListenerOptions['settings'] & Pick<Settings, 'httpPort' | 'httpsPort'>; tls: SecureContextOptions },
): Promise<PhoneListeners> {
  const httpServer = createPhoneListener(handler, { ...o, name: 'phone HTTP', tls: undefined });
  const http = await listen(httpServer, o.settings.httpPort, undefined, o.log, 'phone HTTP');
  const httpsServer = createPhoneListener(handler, { ...o, name: 'phone HTTPS' });
  const https = await listen(httpsServer, o.settings.httpsPort, undefined, o.log, 'phone HTTPS').catch(async (e: unknown) => {
    await closeServer(httpServer);
    throw e;
  });
  return { http, https, close: async () => void (await Promise.all([closeServer(httpServer), closeServer(httpsServer)])) };
}
