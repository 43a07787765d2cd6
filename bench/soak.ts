// Soak: what a hostile client on the phone network can take from a server nobody watches. 200,000 requests of the
// kinds issue 9 found harmful (oversized fields, invented phones with long values and their own Host headers, DTD
// bombs, malformed XML, oversized bodies, 1 MB log uploads from phones nobody knows, probing and traversal paths),
// at 64 connections, interleaved with real phones; then 300 connections trickling a body one byte a second (from ten
// loopback addresses, within the per-address cap, so that only the request timeout can end them) plus 300 more from
// one address (the per-address cap), while a real phone from its own address checks in twice a second.
// Prints the server's RSS growth, the Logs folder against its budget, the inventory against its cap, and the real
// phone's slowest answer during the slow-client attack, each against its target. The baseline of each row is the
// bound itself (the setting, or the issue's target), so ratio <= 1 means the bound held.
//   node --import tsx bench/soak.ts          (SOAK_REQUESTS=50000 for a quicker run)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Store } from '../src/server/app/store.js';
import { phoneRequestBody } from '../src/cli/phone-simulator.js';
import { multiDevicePackage } from '../test/fixtures/cabs.js';
import { fmt, heading, HOST, ratioRow, report, runMain, tempDir, type RatioRow } from './lib/harness.js';
import { PHONE_HEADERS } from './lib/load.js';
import { approveWhere, importInto, olderCx600, startOurServer } from './lib/setup.js';

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 200_000);
const CONNECTIONS = 64;
const SLOW_CONNECTIONS = 300;
const CHECK = '/RequestHandler/ucdevice.upx';
/** Small bounds, so that the flood reaches them within the run (the defaults are 1024 MB and 250,000 phones). */
const BUDGET = { logMaxTotalMB: 10, inventoryMaxDevices: 20_000 };
const TARGET_RSS_GROWTH_MB = 100;
const TARGET_PHONE_MS = 2_000;
/** The heap limit README's "Running it safely" gives the service: V8's default lets garbage swell RSS by 300 MB. */
const SERVICE_NODE_ARGS = ['--max-old-space-size=256'];

type Hostile = { method: string; path: string; headers: Record<string, string>; body?: string | Buffer };

const pad = (n: number, len: number) => `u${n}-`.padEnd(len, 'x');
const DTD_BOMB = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Request><Vendor>&c;</Vendor></Request>`;
const HUGE_VENDOR = phoneRequestBody({ ...olderCx600(1), vendor: 'V'.repeat(58 * 1024) });
const LOG_BODY = Buffer.alloc(1_000_000, 0x41);
const OVERSIZED = 'x'.repeat(100 * 1024);

/** Request n of the flood: one in five is a real phone of a known pool of 1,000, the rest hostile. */
function requestOf(n: number): Hostile {
  const check = (body: string, host = `${HOST}`) => ({ method: 'POST', path: CHECK, headers: { ...PHONE_HEADERS, Host: host }, body });
  switch (n % 20) {
    case 0:
    case 1:
    case 2:
    case 3:
      return check(phoneRequestBody(olderCx600(n % 1000)));
    case 4:
      return check(HUGE_VENDOR);
    case 5:
      return check(DTD_BOMB);
    case 6:
      return check(`<Request><Model>${'<a>'.repeat(5000)}`);
    case 7:
      return { method: 'POST', path: CHECK, headers: PHONE_HEADERS, body: OVERSIZED };
    case 8:
      return { method: 'GET', path: `/DeviceUpdateFiles_Int/UCPhone/${n}/..%2f..%2f..%2fetc%2fpasswd`, headers: {} };
    case 9:
      return { method: 'GET', path: `/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/${n}/CPE/CPE.nbt`, headers: {} };
    case 10:
      // A 1 MB log upload from an invented phone, one request in 200 (2,000 of 200,000: 2 GB sent).
      if (n % 200 === 10) return { method: 'POST', path: `${CHECK}?LogType=CELog&FileName=x${n}.clg&MacAddress=${(0xee0000000000 + n).toString(16)}`, headers: {}, body: LOG_BODY };
      return check(phoneRequestBody({ ...olderCx600(2_000_000 + n), userName: pad(n, 250) }));
    default:
      // Invented phones: a new MAC each, the longest legal values, and a Host header of their own (answer memo keys).
      return check(phoneRequestBody({ ...olderCx600(1_000_000 + n), userName: pad(n, 250), serial: pad(n, 64) }), `h${n % 50_000}.contoso.com`);
  }
}

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  }
  return total;
}

/** One update check of a real phone from its own loopback address: its time in ms, or why it failed. */
function realPhoneCheck(port: number, n: number): Promise<{ ms: number; failure?: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      { host: HOST, port, path: CHECK, method: 'POST', localAddress: '127.0.0.2', agent: false, headers: PHONE_HEADERS, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - t0, ...(res.statusCode === 200 ? {} : { failure: `HTTP ${res.statusCode}` }) }));
      },
    );
    req.on('error', (e) => resolve({ ms: performance.now() - t0, failure: e.message }));
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.end(phoneRequestBody(olderCx600(500_000 + n)));
  });
}

interface Trickle {
  socket: Socket;
  openedAt: number;
  closedAt?: number;
}

/** A connection that sends headers announcing a 10 kB body, then one byte a second. */
function trickle(port: number, localAddress: string): Trickle {
  const socket = connect({ host: HOST, port, localAddress });
  const t: Trickle = { socket, openedAt: performance.now() };
  socket.on('error', () => undefined);
  socket.on('close', () => (t.closedAt = performance.now()));
  socket.on('connect', () => {
    socket.write(`POST ${CHECK} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/xml\r\nContent-Length: 10000\r\n\r\n`);
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('<')), 1_000);
  });
  return t;
}

async function main(): Promise<void> {
  const tmp = tempDir('soak');
  const dataDir = join(tmp, 'data');
  heading(`soak: setup (${fmt(REQUESTS)} hostile requests; bounds ${JSON.stringify(BUDGET)})`);
  const store = new Store(dataDir);
  try {
    await importInto(store, await multiDevicePackage(join(tmp, 'cabs')));
    await approveWhere(store, () => true);
    await store.settings.write(BUDGET);
  } finally {
    await store.close();
  }
  console.log(`  the server runs as the service does: node ${SERVICE_NODE_ARGS.join(' ')}`);
  const ours = await startOurServer(dataDir, SERVICE_NODE_ARGS);
  const pid = ours.child.proc.pid!;
  const logsDir = join(dataDir, 'Logs');

  // Warm-up: the known phones check in once, so that the baseline RSS holds a warmed-up server.
  await autocannon({ url: ours.url, connections: 16, amount: 2_000, requests: [{ method: 'POST', headers: PHONE_HEADERS, path: CHECK, setupRequest: seq((n) => requestOf(n * 20)) }] });
  const rssBefore = rssMB(pid);
  console.log(`  RSS after warm-up: ${fmt(rssBefore)} MB; Logs ${fmt(folderBytes(logsDir) / 1e6)} MB`);

  heading(`soak: flood of ${fmt(REQUESTS)} requests, ${CONNECTIONS} connections`);
  const statuses = new Map<number, number>();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMB(pid))), 500);
  const t0 = performance.now();
  const flood = autocannon({
    url: ours.url,
    connections: CONNECTIONS,
    amount: REQUESTS,
    timeout: 10,
    requests: [{ method: 'POST', path: CHECK, setupRequest: seq(requestOf) }],
  });
  // RSS half-way as well: growth that levels off is a heap settling at its size; growth that goes on would be a leak.
  let answered = 0;
  let rssHalf = NaN;
  flood.on('response', (_client: unknown, status: number) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (++answered === Math.floor(REQUESTS / 2)) rssHalf = rssMB(pid);
  });
  const r = await flood;
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  // Errors are connections the server closed: refused log uploads and oversized bodies are answered before they are read.
  console.log(`  ${fmt(r.requests.total)} requests in ${fmt(seconds)} s (${fmt(r.requests.total / seconds)}/s); connections closed by the server ${r.errors}, timeouts ${r.timeouts}`);
  console.log(`  answers by status: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${fmt(n)}`).join(', ')}`);
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // the inventory's flush and the log budget's deletions
  const rssAfter = rssMB(pid);
  const logsBytes = folderBytes(logsDir);
  const db = new Store(dataDir);
  const phones = await db.devices.count();
  await db.close();
  console.log(`  RSS ${fmt(rssBefore)} -> ${fmt(rssHalf)} (half-way) -> ${fmt(rssAfter)} MB (peak ${fmt(rssPeak)}); Logs ${fmt(logsBytes / 1e6)} MB; inventory ${fmt(phones)} phones`);

  heading(`soak: ${SLOW_CONNECTIONS} slow clients from ten addresses and ${SLOW_CONNECTIONS} from one, a real phone checking twice a second`);
  const slow: Trickle[] = [];
  for (let i = 0; i < SLOW_CONNECTIONS; i++) slow.push(trickle(ours.port, `127.0.0.${10 + (i % 10)}`));
  const oneAddress: Trickle[] = [];
  for (let i = 0; i < SLOW_CONNECTIONS; i++) oneAddress.push(trickle(ours.port, '127.0.0.9'));
  const phone: { ms: number; failure?: string }[] = [];
  const attackStart = performance.now();
  for (let n = 0; performance.now() - attackStart < 40_000; n++) {
    phone.push(await realPhoneCheck(ours.port, n));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const held = (ts: Trickle[]) => ts.filter((t) => t.closedAt === undefined).length;
  const longest = (ts: Trickle[]) => Math.max(...ts.map((t) => ((t.closedAt ?? performance.now()) - t.openedAt) / 1000));
  console.log(`  ten addresses: ${held(slow)} of ${SLOW_CONNECTIONS} still open after 40 s; longest held ${fmt(longest(slow))} s`);
  console.log(`  one address: ${held(oneAddress)} of ${SLOW_CONNECTIONS} still open; ${oneAddress.filter((t) => t.closedAt !== undefined && t.closedAt - t.openedAt < 1_000).length} closed within 1 s`);
  const failures = phone.filter((p) => p.failure).length;
  const slowest = Math.max(...phone.map((p) => (p.failure ? Infinity : p.ms)));
  const why = [...new Set(phone.map((p) => p.failure).filter(Boolean))].join('; ');
  console.log(`  real phone: ${phone.length} checks, ${failures} failed${why ? ` (${why})` : ''}, slowest ${fmt(slowest)} ms`);
  for (const t of [...slow, ...oneAddress]) t.socket.destroy();
  await ours.child.stop();

  const rows: RatioRow[] = [
    ratioRow('soak', 'RSS growth over the flood', rssAfter - rssBefore, TARGET_RSS_GROWTH_MB, 'MB', { op: '<=', value: 1 }, `peak ${fmt(rssPeak)} MB`),
    ratioRow('soak', 'RSS growth over its second half', rssAfter - rssHalf, TARGET_RSS_GROWTH_MB, 'MB', { op: '<=', value: 1 }),
    ratioRow('soak', 'Logs folder vs logMaxTotalMB', logsBytes / 1024 / 1024, BUDGET.logMaxTotalMB, 'MB', { op: '<=', value: 1 }),
    ratioRow('soak', 'inventory vs inventoryMaxDevices', phones, BUDGET.inventoryMaxDevices, 'phones', { op: '<=', value: 1 }),
    ratioRow('soak', 'real phone, slowest answer under slow clients', slowest, TARGET_PHONE_MS, 'ms', { op: '<=', value: 1 }, `${failures} of ${phone.length} failed`),
    ratioRow('soak', 'slow clients held past the request timeout (+5 s)', longest(slow), 35, 's', { op: '<=', value: 1 }),
  ];
  report(rows);
}

/** autocannon's setupRequest for request n of a sequence shared by all connections. */
function seq(requestN: (n: number) => Hostile) {
  let n = 0;
  return (req: autocannon.Request) => {
    const h = requestN(n++);
    // A copy: autocannon writes Content-Length into the headers object it is given.
    return { ...req, method: h.method, path: h.path, headers: { ...h.headers }, body: h.body ?? '' } as autocannon.Request;
  };
}

runMain(main, 300_000, 'soak');
