// What every admin response goes through before the API or the console: security headers, the Host allowlist (a
// page on another site cannot reach the console by pointing its own name at this address: DNS rebinding), and who is
// really calling (a trusted reverse proxy's forwarded headers are believed; anyone else's are not).
import { hostname, networkInterfaces } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import { clientOf, forwardedHops, plainAddress } from './forwarded.js';

/** The caller as far as it can be known: its address, whether a proxy stands between, and whether it used HTTPS. */
export interface Remote {
  address: string;
  proxied: boolean;
  https: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    remote?: Remote;
  }
}

export interface AdminGuardOptions {
  /** adminTrustedProxies: only these peers' forwarded headers are believed. */
  trustedProxies: string[];
  /** adminAllowedHosts; empty: the listener's own address, loopback names and this machine's name. */
  allowedHosts: string[];
  /** adminHost: the address the admin listener is bound to. */
  listenHost: string;
}

// Scripts and style sheets come from the built files alone. Fluent UI sets its styles at run time: Griffel and the
// theme provider append empty <style> elements and fill them through CSSOM (insertRule), which CSP does not block;
// the hash is that of the empty text, so those elements are allowed and no inline style text is ('unsafe-inline' is
// not needed: test/console/console.test.ts fails on any CSP refusal).
const EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  `style-src 'self' ${EMPTY_STYLE}`,
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip'];

export function adminGuard(opts: AdminGuardOptions) {
  const trusted = new Set(opts.trustedProxies.map(plainAddress));
  const allowed = (opts.allowedHosts.length ? opts.allowedHosts : defaultHosts(opts.listenHost)).map(parseHost);
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const host = parseHost(req.headers.host ?? '');
    if (!allowed.some((a) => a.name === host.name && (a.port === undefined || a.port === host.port))) {
      res.status(421).type('text/plain').send('This console does not answer to the host name in this request: open it by its own address, or add the name to the adminAllowedHosts setting.\n');
      return;
    }
    req.remote = remoteOf(req, trusted);
    next();
  };
}

/** The caller as the guard saw it (a request that did not pass the guard believes no proxy). */
export const remote = (req: Request): Remote => req.remote ?? remoteOf(req, new Set());

const isLoopback = (addr: string | undefined) => !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));

/** From this machine and not through a proxy: only then do the launch token and one-time sign-in links work. */
export const fromThisMachine = (req: Request): boolean => !remote(req).proxied && isLoopback(req.socket.remoteAddress);

function remoteOf(req: Request, trusted: Set<string>): Remote {
  const peer = plainAddress(req.socket.remoteAddress ?? '');
  const tls = 'encrypted' in req.socket && req.socket.encrypted === true;
  // Any forwarding header makes a request proxied, believed or not: a proxy on 127.0.0.1 is not this machine's user.
  // (A proxy always adds X-Forwarded-For or Forwarded; a request with neither is the peer's own.)
  const proxied = FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
  if (!proxied || !trusted.has(peer)) return { address: peer, proxied, https: tls };
  const hops = forwardedHops(req);
  const client = clientOf(hops, peer, trusted);
  const proto = hops.at(-1)?.proto;
  return { address: client, proxied: true, https: proto === undefined ? tls : proto === 'https' };
}

/** A Host header or an allowlist entry: a name (lower case, brackets kept off IPv6) and a port when one is given. */
function parseHost(text: string): { name: string; port?: string } {
  const t = text.trim().toLowerCase();
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(t) ?? /^([^:]*)(?::(\d+))?$/.exec(t);
  if (!m) return { name: t }; // a bare IPv6 address
  return { name: m[1]!.replace(/\.$/, ''), port: m[2] };
}

function defaultHosts(listenHost: string): string[] {
  const wildcard = listenHost === '0.0.0.0' || listenHost === '::';
  const own = wildcard
    ? Object.values(networkInterfaces())
        .flat()
        .flatMap((i) => (i ? [i.address] : []))
    : [listenHost];
  return [...own, 'localhost', '127.0.0.1', '::1', hostname()];
}
