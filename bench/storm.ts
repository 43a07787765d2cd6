// A storm: 60 s of update checks from phones never seen before (a new MAC on every request), wrk with 2 threads at
// 256 connections, each request given 2 s. Counts what phones would meet as failures: requests with no answer within
// 2 s (wrk's timeouts), socket errors and non-2xx answers; and the p99 latency. The bare node:http child answering
// the same bytes runs the same load (shorter) for the checks/s ratio. Every request is a new phone: the inventory
// grows by one row per check (up to inventoryMaxDevices, then the phones past it are counted, not recorded).
// The load tool is one address standing in for 256 phones: the per-address connection cap is lifted (as bench/fleet.ts
// does); the listen backlog and every other setting are the defaults.
// Answers over 2 s come from the start, when wrk opens its 256 keep-alive connections at once: Node 20's libuv accepts
// one connection per event-loop turn (libuv/libuv#3696), and each turn answers every connection already accepted, so
// the last waits about 256²/2 answers (about 4 s at 8,000 answers/s; 1.2 s for the bare server). A last phase checks
// as phones do, a connection per check (Connection: close): nothing piles up behind the accept queue.
//   node --import tsx bench/storm.ts        (STORM_SECONDS=20 for a quicker run)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Store } from '../src/server/app/store.js';
import { parseUpdateResponse } from '../src/server/phone/dialect.js';
import { httpRequest, phoneRequestBody } from '../src/cli/phone-simulator.js';
import { multiDevicePackage } from '../test/fixtures/cabs.js';
import { fmt, heading, ratioRow, removeTempDir, report, runMain, tempDir, type RatioRow } from './lib/harness.js';
import { PHONE_HEADERS, printLoad, wrkPost, type LoadResult } from './lib/load.js';
import { rssOf } from './lib/rss.js';
import { approveWhere, importInto, olderCx600, startBareServer, startOurServer, WRK_MISSING, type RunningChild } from './lib/setup.js';

const SECONDS = Number(process.env.STORM_SECONDS ?? 60);
const BARE_SECONDS = Math.min(SECONDS, 15);
const CLOSE_SECONDS = Math.min(SECONDS, 20);
const CONNECTIONS = 256;
const THREADS = 2;
const TIMEOUT_S = 2;
const P99_TARGET_MS = 250;
const PATH = '/RequestHandler/ucdevice.upx';

async function main(): Promise<void> {
  const tmp = tempDir('storm');
  const running: RunningChild[] = [];
  try {
    heading('storm: setup');
    const dataDir = join(tmp, 'data');
    const store = new Store(dataDir);
    try {
      await store.settings.write({ phoneMaxConnectionsPerAddress: 1024 });
      await importInto(store, await multiDevicePackage(join(tmp, 'cabs')));
      await approveWhere(store, () => true);
    } finally {
      await store.close();
    }
    const ours = await startOurServer(dataDir);
    running.push(ours);
    const template = phoneRequestBody({ ...olderCx600(0), mac: 'MACMACMACMAC' });
    const sample = await httpRequest(`${ours.url}${PATH}`, { method: 'POST', body: phoneRequestBody(olderCx600(0xfffff0)), headers: PHONE_HEADERS });
    if (sample.status !== 200 || parseUpdateResponse(sample.body.toString('utf8')).files.length === 0) throw new Error(`the sample phone was not offered an update: ${sample.status} ${sample.body.toString()}`);
    const answerFile = join(tmp, 'answer.xml');
    writeFileSync(answerFile, sample.body);

    heading(`storm: ${SECONDS} s of new phones, wrk ${THREADS} threads, ${CONNECTIONS} connections, ${TIMEOUT_S} s timeout`);
    console.log(`  load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const load = { connections: CONNECTIONS, threads: THREADS, timeoutS: TIMEOUT_S, dir: tmp };
    const oursRun = await wrkPost(`${ours.url}${PATH}`, template, { ...load, seconds: SECONDS });
    if (!oursRun) {
      console.log(`  storm ${WRK_MISSING}`);
      report([]);
      return;
    }
    const rss = rssOf(ours.child.proc.pid);
    // As phones connect: each check on a connection of its own (Connection: close), so connections never pile up
    // behind the accept queue at once as the 256 keep-alive connections of the first phase do when they all open.
    const closingRun = (await wrkPost(`${ours.url}${PATH}`, template, { ...load, seconds: CLOSE_SECONDS, headers: { Connection: 'close' } }))!;
    await ours.child.stop();
    running.pop();

    const bare = await startBareServer('fixed', answerFile);
    running.push(bare);
    const bareRun = (await wrkPost(`${bare.url}${PATH}`, template, { ...load, seconds: BARE_SECONDS }))!;
    await bare.child.stop();
    running.pop();

    console.log('');
    printLoad('ours (ucupdates)', oursRun);
    printLoad('bare node:http', bareRun);
    printLoad('ours, close each', closingRun);
    if (rss) console.log(`  our server after the storm: RSS ${fmt(rss.rssMB)} MB, peak ${fmt(rss.peakMB)} MB`);
    const failed = (r: LoadResult) => r.errors + r.timeouts + r.non2xx;
    const rows: RatioRow[] = [
      ratioRow('storm', `checks/s, ${CONNECTIONS} connections`, oursRun.reqPerSec, bareRun.reqPerSec, 'req/s', { op: '>=', value: 0.6 }, `ours ${fmt(oursRun.total)} checks in ${SECONDS} s; bare ${BARE_SECONDS} s`),
      ratioRow('storm', 'p99 latency', oursRun.p99Ms, P99_TARGET_MS, 'ms', { op: '<=', value: 1 }, `target: < ${P99_TARGET_MS} ms (the baseline column is the target); bare p99 ${fmt(bareRun.p99Ms)} ms`),
      {
        bench: 'storm',
        metric: `answers over ${TIMEOUT_S} s + errors + non-2xx`,
        ours: `${failed(oursRun)}`,
        baseline: `${failed(bareRun)}`,
        ratio: null,
        target: '= 0',
        met: failed(oursRun) === 0,
        note: `ours: timeouts ${oursRun.timeouts}, socket errors ${oursRun.errors}, non-2xx ${oursRun.non2xx}`,
      },
    ];
    rows.push({
      bench: 'storm',
      metric: `a connection per check (${CLOSE_SECONDS} s): over ${TIMEOUT_S} s + errors`,
      ours: `${failed(closingRun)}`,
      baseline: '-',
      ratio: null,
      target: '= 0',
      met: failed(closingRun) === 0,
      note: `${fmt(closingRun.reqPerSec)} checks/s, p99 ${fmt(closingRun.p99Ms)} ms; timeouts ${closingRun.timeouts}, socket errors ${closingRun.errors}, non-2xx ${closingRun.non2xx}`,
    });
    report(rows);
  } finally {
    for (const r of running.reverse()) await r.child.stop();
    removeTempDir(tmp);
  }
}

runMain(main, 240_000, 'bench/storm');
