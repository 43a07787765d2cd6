// Load generators: autocannon (programmatic, always here: a devDependency) and, when installed, wrk as a cross-check
// that is not limited by a JavaScript client sharing the machine's two cores.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { fmt, which } from './harness.js';

export interface LoadResult {
  tool: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  bytesPerResponse: number;
  seconds: number;
}

export const PHONE_HEADERS = { 'Content-Type': 'text/xml', 'User-Agent': 'Microsoft UCPhone Device' };

/** POSTs bodies in turn (each request the next body), for `seconds` after a warm-up, with autocannon. */
export async function autocannonPost(
  url: string,
  bodies: string[],
  opts: { connections: number; seconds: number; warmupSeconds: number; pipelining?: number },
): Promise<LoadResult> {
  let i = 0;
  const instance = autocannon({
    url,
    connections: opts.connections,
    pipelining: opts.pipelining ?? 1,
    duration: opts.seconds,
    timeout: 10,
    ...(opts.warmupSeconds > 0 ? { warmup: { connections: opts.connections, duration: opts.warmupSeconds } } : {}),
    requests: [
      {
        method: 'POST',
        headers: PHONE_HEADERS,
        setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length]! }),
      },
    ],
    renderProgressBar: false,
    renderResultsTable: false,
  });
  const r = await instance;
  return fromAutocannon(r);
}

export function fromAutocannon(r: autocannon.Result): LoadResult {
  return {
    tool: 'autocannon',
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    total: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    bytesPerResponse: r.requests.total > 0 ? r.throughput.total / r.requests.total : 0,
    seconds: r.duration,
  };
}

export function printLoad(label: string, r: LoadResult): void {
  console.log(
    `  ${label.padEnd(22)} ${r.tool.padEnd(10)} ${fmt(r.reqPerSec).padStart(8)} req/s   p50 ${fmt(r.p50Ms)} ms   p99 ${fmt(r.p99Ms)} ms   ` +
      `requests ${r.total}   errors ${r.errors}   timeouts ${r.timeouts}   non-2xx ${r.non2xx}` +
      (r.bytesPerResponse ? `   ${fmt(r.bytesPerResponse)} B/response` : ''),
  );
}

/**
 * wrk (one thread unless `threads`) with a Lua script that POSTs `template` with MACMACMACMAC replaced by a new MAC on
 * every request (thread t: OUI 00-04-F(2+t), so threads never send the same MAC). A request without an answer within
 * `timeoutS` (default 10) is counted as a timeout; `headers` are sent with every request. Returns undefined when wrk is
 * not installed.
 */
export async function wrkPost(
  url: string,
  template: string,
  opts: { connections: number; seconds: number; dir: string; threads?: number; timeoutS?: number; headers?: Record<string, string> },
): Promise<LoadResult | undefined> {
  const wrk = which('wrk');
  if (!wrk) return undefined;
  const script = join(opts.dir, 'post.lua');
  writeFileSync(
    script,
    [
      'local n = 0',
      'local threads = 0',
      `local template = ${JSON.stringify(template)}`,
      'wrk.method = "POST"',
      'wrk.headers["Content-Type"] = "text/xml"',
      'wrk.headers["User-Agent"] = "Microsoft UCPhone Device"',
      'setup = function(thread)',
      '  thread:set("id", threads)',
      '  threads = threads + 1',
      'end',
      'request = function()',
      '  n = n + 1',
      '  local body = string.gsub(template, "MACMACMACMAC", string.format("0004F%X%06X", 2 + (id or 0), n % 16777216))',
      '  return wrk.format(nil, nil, nil, body)',
      'end',
      '',
    ].join('\n'),
  );
  const headers = Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const args = [...headers, `-t${opts.threads ?? 1}`, `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency', '--timeout', `${opts.timeoutS ?? 10}s`, '-s', script, url];
  const out = await runBounded(wrk, args, (opts.seconds + 30) * 1000);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const ms = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const total = num(/(\d+) requests in/);
  const bytes = /requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read/.exec(out);
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(bytes?.[2] ?? 'B') as 'B'] ?? 1;
  return {
    tool: 'wrk',
    reqPerSec: num(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: ms(/\s50%\s+([\d.]+)(us|ms|s)/),
    p99Ms: ms(/\s99%\s+([\d.]+)(us|ms|s)/),
    total,
    errors: socketErrors ? Number(socketErrors[1]) + Number(socketErrors[2]) + Number(socketErrors[3]) : 0,
    timeouts: socketErrors ? Number(socketErrors[4]) : 0,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    bytesPerResponse: total > 0 && bytes ? (Number(bytes[1]) * unit) / total : 0,
    seconds: opts.seconds,
  };
}

/** Runs a program to completion (killed after ms) and returns its stdout. */
export function runBounded(file: string, args: string[], ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${file} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}): ${err.trim().slice(0, 500)}`));
    });
  });
}

export interface PhonesOnce {
  elapsed: number;
  load: LoadResult;
  stoppedByBound: boolean;
}

/** Each body POSTed once to the update-check path (a fleet of distinct phones checking once), stopped at boundMs. */
export async function phonesOnce(url: string, bodies: string[], connections: number, boundMs: number): Promise<PhonesOnce> {
  let i = 0;
  const started = performance.now();
  const instance = autocannon({
    url: `${url}/RequestHandler/ucdevice.upx`,
    connections,
    pipelining: 1,
    amount: bodies.length,
    timeout: 10,
    requests: [{ method: 'POST', headers: PHONE_HEADERS, setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length]! }) }],
    renderProgressBar: false,
    renderResultsTable: false,
  });
  let stoppedByBound = false;
  const bound = setTimeout(() => {
    stoppedByBound = true;
    instance.stop();
  }, boundMs);
  const r = await instance;
  clearTimeout(bound);
  const elapsed = (performance.now() - started) / 1000;
  const load = fromAutocannon(r);
  // Over the whole run (autocannon's per-second average would miss the last partial second).
  load.reqPerSec = load.total / elapsed;
  return { elapsed, load, stoppedByBound };
}
