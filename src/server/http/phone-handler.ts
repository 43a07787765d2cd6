// The phone-facing listener: update checks and firmware downloads. Plain node:http on purpose: this is the hot
// path (100,000 phones), and four routes need no framework. Phones get a well-formed answer or a plain 4xx.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { DeviceRequest } from '../domain/device.js';
import type { LogUpload, LogVerdict } from '../domain/device-log.js';
import type { Decision } from '../domain/update-decision.js';
import { phoneBaseUrls, type BaseUrls } from '../domain/phone-base-urls.js';
import { plainIp } from '../domain/w3c-format.js';
import { trackConnection } from './connection-traffic.js';
import { createFirmwareDownloads } from './firmware-download.js';
import { clientOf, forwardedHops, plainAddress as forwardedAddress } from './forwarded.js';
import { parseLogUpload, parseUpdateRequest, renderUpdateResponse, routePhoneRequest } from '../phone/dialect.js';
import type { Catalog } from '../app/catalog.js';
import { checkForUpdate, type CheckResult } from '../app/update-check.js';
import type { Settings } from '../../shared/settings.js';

export interface PhoneLogs {
  audit(at: Date, clientIp: string, request: DeviceRequest, result: CheckResult): void;
  /** `clientIp`: the phone's address (behind a trusted proxy, the client it forwarded for). */
  access(at: Date, req: IncomingMessage, res: ServerResponse, timeTakenMs: number, username: string, clientIp: string): void;
  capture(at: Date, req: IncomingMessage, body: Buffer): void;
}

/** The device inventory's intake (app/inventory-recorder.ts): buffered, never blocks or fails a request. */
export interface PhoneInventory {
  /** `judgedAs`: the catalog snapshot's key of the rules the decision was made on. */
  check(at: Date, clientIp: string, request: DeviceRequest, decision: Decision, judgedAs: string): void;
  download(at: Date, clientIp: string, path: string, status: number): void;
}

export interface PhoneHandlerDeps {
  /** The snapshot an answer is made on (app/catalog.ts; in a phone worker, the last one the server process sent). */
  catalog: Pick<Catalog, 'current'>;
  /** The local file of a blob (a pool node fetches one it lacks from the pool first). */
  blobFile: (sha256: string) => Promise<string>;
  logs: PhoneLogs;
  inventory: PhoneInventory;
  /** Keeps a log file a phone uploaded (app/device-logs.ts). */
  receiveLog: (at: Date, clientIp: string, upload: LogUpload, body: Buffer) => Promise<LogVerdict>;
  /** Judges a log upload before its body is read (declared size; 1 when undeclared): a refusal costs no body. */
  judgeLog: (upload: LogUpload, declaredBytes: number) => Promise<LogVerdict>;
  log: Logger;
  clock?: () => Date;
}

export function createPhoneHandler(deps: PhoneHandlerDeps) {
  const clock = deps.clock ?? (() => new Date());
  let warnedNoExternal = false;
  const downloads = createFirmwareDownloads(deps.log);

  // A fault of ours (a store that cannot be read, a bug) answers 500 and is logged; it never ends the service.
  const failed = (err: unknown, res: ServerResponse) => {
    deps.log.error({ err }, 'phone request failed');
    plain(res, 500, 'Server error.');
  };

  return function handlePhone(req: IncomingMessage, res: ServerResponse): void {
    try {
      handle(req, res);
    } catch (err) {
      failed(err, res);
    }
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const at = clock();
    let username = '-';
    const snap = deps.catalog.current();
    // Behind a balancer named in trustedProxies, the phone it forwarded for: in the logs and the inventory alike.
    const peer = clientIp(req);
    const client = phoneAddress(req, peer, snap.settings.trustedProxies);
    // Logged once the answer is written (a listener on 'finish' would cost more than the rest of an update check).
    const logged = () => deps.logs.access(at, req, res, Math.round(performance.now() - started), username, client);
    const answer = (status: number, text: string, headers?: Record<string, string>) => {
      plain(res, status, text, headers);
      logged();
    };
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routePhoneRequest(path);

    if (route.kind === 'none') return answer(404, 'Not found.');
    if (route.kind === 'bad-path') return answer(400, 'Bad request: the path is not valid.');
    if (route.external) {
      const denied = externalDenied(snap.settings, peer);
      if (denied) return answer(denied.status, denied.text, denied.headers);
      // Only a trusted proxy's word on who signed in is believed (anyone can send the header).
      if (snap.settings.externalAuth === 'trust-proxy') username = (req.headers['x-forwarded-user'] as string | undefined) ?? '-';
    }

    if (route.kind === 'file') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'Method not allowed.', { Allow: 'GET, HEAD' });
      const file = snap.files.get(route.path.toLowerCase());
      if (!file) return answer(404, 'Not found.');
      // A download streams: logged when it ends, finished or aborted; a finished GET goes to the inventory.
      trackConnection(req.socket);
      res.once('close', () => {
        logged();
        if (req.method === 'GET' && res.writableFinished) deps.inventory.download(at, client, route.path, res.statusCode);
      });
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('ETag', `"${file.sha256}"`);
      const missing = (err: unknown) => {
        deps.log.error({ err, file: file.relPath }, 'firmware file could not be read from the store');
        plain(res, 500, 'Server error: the file is missing from the store.');
      };
      deps.blobFile(file.sha256).then(
        (blob) =>
          downloads
            .send(req, res, blob, file, snap.settings.downloadCacheMB)
            .on('error', (err: Error & { status?: number }) => {
              // send reports client errors (416 for an unsatisfiable Range) the same way as a missing blob.
              if (err.status === 416) return plain(res, 416, 'Range not satisfiable.');
              missing(err);
            })
            .pipe(res),
        missing,
      );
      return;
    }

    // Update check. A browser's GET shows the server answering (admins test ucdevice.upx in IE that way).
    const base = baseUrls(req, snap.settings);
    if (!snap.settings.externalUrl && !warnedNoExternal) {
      warnedNoExternal = true;
      deps.log.warn('No external URL is configured: ExternalBaseURL falls back to the internal URL. Set externalUrl for phones outside.');
    }
    if (req.method === 'GET') {
      xml(res, renderUpdateResponse({ currentTime: at, serverVersion: snap.settings.serverVersion, langList: [] }));
      return logged();
    }
    if (req.method !== 'POST') return answer(405, 'Method not allowed.', { Allow: 'POST, GET' });
    const upload = parseLogUpload((req.url ?? '').split('?')[1] ?? '');
    if (upload) return receiveLog(req, res, snap.settings, upload, at, client, answer);
    readBody(req, snap.settings.maxRequestBytes, (err, body) => {
      if (err) return answer(413, `Request body larger than ${snap.settings.maxRequestBytes} bytes.`, { Connection: 'close' });
      try {
        if (snap.settings.captureEnabled) deps.logs.capture(at, req, body!);
        const parsed = parseUpdateRequest(body!.toString('utf8'), snap.settings.maxFieldChars);
        if (!parsed.ok) return answer(400, `Bad request: ${parsed.error}.`);
        const result = checkForUpdate(snap, parsed.request, { ...base, external: route.external, now: at });
        xml(res, result.xml);
        logged();
        deps.logs.audit(at, client, parsed.request, result);
        deps.inventory.check(at, client, parsed.request, result.decision, snap.judgedAs);
      } catch (e) {
        failed(e, res);
      }
    });
  }

  /** A log upload (a POST to ucdevice.upx that names a log: see parseLogUpload). */
  function receiveLog(
    req: IncomingMessage,
    res: ServerResponse,
    s: Settings,
    upload: LogUpload,
    at: Date,
    client: string,
    answer: (status: number, text: string, headers?: Record<string, string>) => void,
  ): void {
    deps.judgeLog(upload, Number(req.headers['content-length']) || 1).then((early) => {
      if (!early.ok) return answer(early.status, `Log refused: ${early.reason}.`, { Connection: 'close' });
      readBody(req, s.deviceLogMaxBytes, (err, body) => {
        if (err) return answer(413, `Log file larger than ${s.deviceLogMaxBytes} bytes.`, { Connection: 'close' });
        if (s.captureEnabled) deps.logs.capture(at, req, body!);
        deps.receiveLog(at, client, upload, body!).then(
          (v) => (v.ok ? answer(200, 'OK.') : answer(v.status, `Log refused: ${v.reason}.`)),
          (e: unknown) => failed(e, res),
        );
      });
    }, (e: unknown) => failed(e, res));
  }
}

/** OCS R2 answered unauthenticated external checks with an NTLM challenge; a trusted reverse proxy may authenticate instead. */
function externalDenied(s: Settings, ip: string): { status: number; text: string; headers?: Record<string, string> } | undefined {
  if (s.externalAuth === 'anonymous') return undefined;
  if (s.externalAuth === 'trust-proxy') {
    if (s.trustedProxies.includes(ip)) return undefined;
    return { status: 403, text: 'Forbidden: external requests are accepted only through the trusted reverse proxy.' };
  }
  return { status: 401, text: 'Unauthorized.', headers: { 'WWW-Authenticate': 'NTLM' } };
}

function baseUrls(req: IncomingMessage, s: Settings): BaseUrls {
  const { localAddress, localPort } = req.socket;
  return phoneBaseUrls({ host: req.headers.host, encrypted: !!(req.socket as TLSSocket).encrypted, localAddress, localPort }, s);
}

/** A client's address as admins write it: IPv4 without the ::ffff: of a dual-stack socket. */
export const plainAddress = (address: string | undefined) => plainIp(address ?? '');
export const clientIp = (req: IncomingMessage) => plainAddress(req.socket.remoteAddress);

/**
 * The phone's address for the audit and access logs and the inventory (downloads are matched to checks by it): behind
 * reverse proxies or a pool's balancer named in trustedProxies, the client they forwarded for (http/forwarded.ts, as
 * the admin listener reads it); from anyone else the headers are not believed. `peer`: the socket's address (clientIp), which the caller has at hand.
 */
export function phoneAddress(req: IncomingMessage, peer: string, trustedProxies: readonly string[]): string {
  if (!trustedProxies.includes(peer)) return peer;
  return clientOf(forwardedHops(req), peer, new Set(trustedProxies.map(forwardedAddress)));
}

function readBody(req: IncomingMessage, limit: number, done: (err: Error | null, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return done(new Error('too large'));
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on('data', (c: Buffer) => {
    if (finished) return;
    size += c.length;
    if (size > limit) {
      finished = true;
      req.removeAllListeners('data');
      req.resume();
      return done(new Error('too large'));
    }
    chunks.push(c);
  });
  req.on('end', () => {
    if (!finished) {
      finished = true;
      done(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    }
  });
  req.on('error', () => {
    finished = true;
  });
}

function xml(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
  res.end(body);
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
