// Update checks per second: our server answering POST /RequestHandler/ucdevice.upx for phones that are offered an
// update (the answer carries BaseURL, ExternalBaseURL and Files), MAC varied on every request, against a bare node:http
// child that reads the body and answers with the same bytes our server gave. Same load tool, same settings, same run.
//   node --import tsx bench/update-checks.ts        (BENCH_CPU_PROF=1 also writes our server's CPU profile)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Store } from '../src/server/app/store.js';
import { parseUpdateResponse } from '../src/server/phone/dialect.js';
import { httpRequest, phoneRequestBody } from '../src/cli/phone-simulator.js';
import { multiDevicePackage } from '../test/fixtures/cabs.js';
import { heading, ratioRow, removeTempDir, report, runMain, tempDir, type RatioRow } from './lib/harness.js';
import { autocannonPost, printLoad, PHONE_HEADERS, wrkPost, type LoadResult } from './lib/load.js';
import { approveWhere, importInto, olderCx600, startBareServer, startOurServer, WRK_MISSING, type RunningChild } from './lib/setup.js';

const CONNECTIONS = 50;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const WRK_SECONDS = 5;
const DISTINCT_PHONES = 5000;
const PATH = '/RequestHandler/ucdevice.upx';

async function main(): Promise<void> {
  const tmp = tempDir('checks');
  const running: RunningChild[] = [];
  try {
    heading('update checks: setup');
    const dataDir = join(tmp, 'data');
    const store = new Store(dataDir);
    try {
      const summary = await importInto(store, await multiDevicePackage(join(tmp, 'cabs')));
      console.log(`  imported ${summary.images.length} images; approved: ${(await approveWhere(store, () => true)).join(', ')}`);
    } finally {
      await store.close();
    }
    const bodies = Array.from({ length: DISTINCT_PHONES }, (_, i) => phoneRequestBody(olderCx600(i)));

    const ours = await startOurServer(dataDir);
    running.push(ours);
    // One real answer, checked to carry an offer, becomes the bare server's fixed answer.
    const sample = await httpRequest(`${ours.url}${PATH}`, { method: 'POST', body: bodies[0]!, headers: PHONE_HEADERS });
    if (sample.status !== 200) throw new Error(`our server answered ${sample.status}: ${sample.body.toString()}`);
    const parsed = parseUpdateResponse(sample.body.toString('utf8'));
    if (!parsed.baseUrl || parsed.files.length === 0) throw new Error(`the sample phone was not offered an update:\n${sample.body.toString()}`);
    console.log(`  sample answer: ${sample.body.length} bytes, offers ${parsed.files.map((f) => `${f.fileName} ${f.version}`).join(', ')} from ${parsed.baseUrl}`);
    const responseFile = join(tmp, 'response.xml');
    writeFileSync(responseFile, sample.body);

    heading(`update checks: autocannon, ${CONNECTIONS} connections, pipelining 1, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s, ${DISTINCT_PHONES} distinct MACs in turn`);
    console.log(`  load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const results: Record<'ours' | 'bare', { ac: LoadResult; wrk?: LoadResult | undefined }> = {} as never;
    const template = phoneRequestBody({ ...olderCx600(0), mac: 'MACMACMACMAC' });
    const measure = async (server: RunningChild) => {
      const ac = await autocannonPost(`${server.url}${PATH}`, bodies, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS });
      const wrk = await wrkPost(`${server.url}${PATH}`, template, { connections: CONNECTIONS, seconds: WRK_SECONDS, dir: tmp });
      return { ac, wrk };
    };
    results.ours = await measure(ours);
    await ours.child.stop();
    running.pop();

    const bare = await startBareServer('fixed', responseFile);
    running.push(bare);
    const check = await httpRequest(`${bare.url}${PATH}`, { method: 'POST', body: bodies[1]!, headers: PHONE_HEADERS });
    if (!check.body.equals(sample.body)) throw new Error('the bare server does not answer with our bytes');
    results.bare = await measure(bare);
    await bare.child.stop();
    running.pop();

    console.log('');
    printLoad('ours (ucupdates)', results.ours.ac);
    printLoad('bare node:http', results.bare.ac);
    if (results.ours.wrk && results.bare.wrk) {
      printLoad('ours (ucupdates)', results.ours.wrk);
      printLoad('bare node:http', results.bare.wrk);
    } else console.log(`  wrk cross-check ${WRK_MISSING}`);

    const rows: RatioRow[] = [
      ratioRow('update-checks', 'req/s, autocannon', results.ours.ac.reqPerSec, results.bare.ac.reqPerSec, 'req/s', { op: '>=', value: 0.6 }, summaryNote(results.ours.ac, results.bare.ac)),
    ];
    if (results.ours.wrk && results.bare.wrk) {
      rows.push(ratioRow('update-checks', `req/s, wrk -t1 (${WRK_SECONDS} s)`, results.ours.wrk.reqPerSec, results.bare.wrk.reqPerSec, 'req/s', { op: '>=', value: 0.6 }, summaryNote(results.ours.wrk, results.bare.wrk)));
    }
    report(rows);
  } finally {
    for (const r of running.reverse()) await r.child.stop();
    removeTempDir(tmp);
  }
}

function summaryNote(ours: LoadResult, bare: LoadResult): string {
  const part = (r: LoadResult) => `p50 ${r.p50Ms.toFixed(2)} / p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.errors + r.timeouts}, non-2xx ${r.non2xx}`;
  return `ours ${part(ours)}; bare ${part(bare)}`;
}

runMain(main, 180_000, 'bench/update-checks');
