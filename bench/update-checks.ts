// Update checks per second: our server answering POST /RequestHandler/ucdevice.upx for phones that are offered an
// update (the answer carries BaseURL, ExternalBaseURL and Files), MAC varied on every request, against a bare node:http
// child that reads the body and answers with the same bytes our server gave. Same load tool, same settings, same run.
// Our server runs twice: on a store whose device inventory starts empty, and on a copy holding 100,000 phones (the
// 5,000 of the load, as after their first check, and 95,000 others): every check is recorded in both.
//   node --import tsx bench/update-checks.ts        (BENCH_CPU_PROF=1 also writes our server's CPU profile)
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Store } from '../src/server/app/store.js';
import { applyCheck, deviceIdentity } from '../src/server/domain/device-state.js';
import type { DeviceRequest } from '../src/server/domain/device.js';
import { parseUpdateResponse } from '../src/server/phone/dialect.js';
import { DEFAULT_PHONE, httpRequest, phoneRequestBody, type SimulatedPhone } from '../src/cli/phone-simulator.js';
import { multiDevicePackage } from '../test/fixtures/cabs.js';
import { heading, ratioRow, removeTempDir, report, runMain, tempDir, type RatioRow } from './lib/harness.js';
import { autocannonPost, printLoad, PHONE_HEADERS, wrkPost, type LoadResult } from './lib/load.js';
import { approveWhere, importInto, macOf, serialOf, startBareServer, startOurServer, WRK_MISSING, type RunningChild } from './lib/setup.js';

const CONNECTIONS = 50;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const WRK_SECONDS = 5;
const DISTINCT_PHONES = 5000;
const INVENTORY = 100_000;
const OFFERED = '4.0.7577.4366';
const PATH = '/RequestHandler/ucdevice.upx';

/** A CX600 (ENU) on an older CU: the approved 4.0.7577.4366 is offered to it. */
const phone = (n: number): SimulatedPhone => ({ ...DEFAULT_PHONE, mac: macOf(n), serial: serialOf(n), version: '4.0.7577.4115', userName: `user${n}@contoso.com` });

async function main(): Promise<void> {
  const tmp = tempDir('checks');
  const running: RunningChild[] = [];
  try {
    heading('update checks: setup');
    const dataDir = join(tmp, 'data');
    const store = new Store(dataDir);
    try {
      const summary = await importInto(store, await multiDevicePackage(join(tmp, 'cabs')));
      console.log(`  imported ${summary.images.length} images; approved: ${approveWhere(store, () => true).join(', ')}`);
    } finally {
      store.close();
    }
    const fullDir = join(tmp, 'data-100k');
    cpSync(dataDir, fullDir, { recursive: true });
    const t0 = performance.now();
    fillInventory(fullDir);
    console.log(`  a copy of the store with ${INVENTORY.toLocaleString('en')} phones in the inventory, filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const bodies = Array.from({ length: DISTINCT_PHONES }, (_, i) => phoneRequestBody(phone(i)));

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
    const results: Record<'ours' | 'full' | 'bare', { ac: LoadResult; wrk?: LoadResult | undefined }> = {} as never;
    const template = phoneRequestBody({ ...phone(0), mac: 'MACMACMACMAC' });
    const measure = async (server: RunningChild) => {
      const ac = await autocannonPost(`${server.url}${PATH}`, bodies, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS });
      const wrk = await wrkPost(`${server.url}${PATH}`, template, { connections: CONNECTIONS, seconds: WRK_SECONDS, dir: tmp });
      return { ac, wrk };
    };
    results.ours = await measure(ours);
    await ours.child.stop();
    running.pop();

    const full = await startOurServer(fullDir);
    running.push(full);
    results.full = await measure(full);
    await full.child.stop();
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
    printLoad('ours, 100k inventory', results.full.ac);
    printLoad('bare node:http', results.bare.ac);
    if (results.ours.wrk && results.full.wrk && results.bare.wrk) {
      printLoad('ours (ucupdates)', results.ours.wrk);
      printLoad('ours, 100k inventory', results.full.wrk);
      printLoad('bare node:http', results.bare.wrk);
    } else console.log(`  wrk cross-check ${WRK_MISSING}`);

    const rows: RatioRow[] = [
      ratioRow('update-checks', 'req/s, autocannon', results.ours.ac.reqPerSec, results.bare.ac.reqPerSec, 'req/s', { op: '>=', value: 0.6 }, summaryNote(results.ours.ac, results.bare.ac)),
    ];
    if (results.ours.wrk && results.bare.wrk) {
      rows.push(ratioRow('update-checks', `req/s, wrk -t1 (${WRK_SECONDS} s)`, results.ours.wrk.reqPerSec, results.bare.wrk.reqPerSec, 'req/s', { op: '>=', value: 0.6 }, summaryNote(results.ours.wrk, results.bare.wrk)));
    }
    const inventoryRow = (tool: string, full: LoadResult, empty: LoadResult) =>
      ratioRow('update-checks', `req/s, 100k phones in the inventory vs none, ${tool}`, full.reqPerSec, empty.reqPerSec, 'req/s', { op: '>=', value: 0.9 }, summaryNote(full, empty));
    rows.push(inventoryRow('autocannon', results.full.ac, results.ours.ac));
    // wrk sends a new MAC every request: inserts of new phones into both stores.
    if (results.full.wrk && results.ours.wrk) rows.push(inventoryRow('wrk, new phones', results.full.wrk, results.ours.wrk));
    report(rows);
  } finally {
    for (const r of running.reverse()) await r.child.stop();
    removeTempDir(tmp);
  }
}

/** Fills the inventory of the store in dataDir with INVENTORY phones, through the domain's own transition. */
function fillInventory(dataDir: string): void {
  const store = new Store(dataDir);
  const kinds = [['Polycom', 'CX600', 'ENU'], ['Polycom', 'CX700', 'DEU'], ['LG-Nortel', 'IP8540', 'ENU'], ['HP', '4120', 'FRA']] as const;
  try {
    const at = new Date().toISOString();
    store.devices.batch(function* () {
      for (let n = 0; n < INVENTORY; n++) {
        const [vendor, model, locale] = kinds[n % kinds.length]!;
        const p = n < DISTINCT_PHONES ? phone(n) : { ...phone(n), mac: macOf(n, '0004F3'), vendor, model, locale };
        const modules = [{ fileName: 'cpe.nbt', version: p.version, timestamp: '01-01-1601 00:00:00' }];
        const request: DeviceRequest = { ...p, macRaw: p.mac, requestTime: '', modules };
        const offer = n < DISTINCT_PHONES || n % 2 ? { version: OFFERED, folder: `UCPhone/${p.vendor}/${p.model}/A/${p.locale}/${OFFERED}/CPE` } : null;
        yield { before: undefined, after: applyCheck(undefined, deviceIdentity(request)!, { at, address: '127.0.0.1', request, version: p.version, offer }) };
      }
    });
  } finally {
    store.close();
  }
}

function summaryNote(ours: LoadResult, bare: LoadResult): string {
  const part = (r: LoadResult) => `p50 ${r.p50Ms.toFixed(2)} / p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.errors + r.timeouts}, non-2xx ${r.non2xx}`;
  return `ours ${part(ours)}; bare ${part(bare)}`;
}

runMain(main, 180_000, 'bench/update-checks');
