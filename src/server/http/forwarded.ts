// Who a request really comes from when reverse proxies stand between: the hops their headers name (RFC 7239
// `Forwarded`, else X-Forwarded-For/-Proto), believed only from proxies the admin trusts. One reading for the admin
// listener (adminTrustedProxies) and the phone listeners (trustedProxies).
import type { IncomingMessage } from 'node:http';
import { plainIp } from '../domain/w3c-format.js';

/** The hops a request came through, oldest first, from `Forwarded` (RFC 7239) or else X-Forwarded-For/-Proto. */
export function forwardedHops(req: Pick<IncomingMessage, 'headers'>): { for?: string; proto?: string }[] {
  const header = (name: string) => [req.headers[name]].flat().filter((v) => v !== undefined).join(',');
  const forwarded = header('forwarded');
  if (forwarded) {
    return forwarded.split(',').map((element) => {
      const pairs = element.split(';').map((p) => p.split('=').map((s) => s.trim().replace(/^"|"$/g, '')));
      const value = (key: string) => pairs.find(([k]) => k?.toLowerCase() === key)?.[1];
      const forAddr = value('for');
      return { for: forAddr && plainAddress(forAddr), proto: value('proto')?.toLowerCase() };
    });
  }
  const fors = header('x-forwarded-for').split(',').map((s) => s.trim()).filter(Boolean).map(plainAddress);
  const proto = header('x-forwarded-proto').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).at(-1);
  const hops: { for?: string; proto?: string }[] = fors.map((f) => ({ for: f }));
  if (proto && hops.length === 0) hops.push({});
  if (proto) hops.at(-1)!.proto = proto;
  return hops;
}

/** An address as the socket or a header gives it, without brackets, port or IPv4-mapped prefix: `::ffff:10.0.0.1:80` -> `10.0.0.1`. */
export function plainAddress(text: string): string {
  let a = text.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  return plainIp(a);
}

/** The client behind `peer` (itself a trusted proxy): the nearest hop that is not one of our proxies; what lies beyond
 * it could be made up. */
export function clientOf(hops: readonly { for?: string }[], peer: string, trusted: ReadonlySet<string>): string {
  return [...hops].reverse().find((h) => h.for && !trusted.has(h.for))?.for ?? hops[0]?.for ?? peer;
}
