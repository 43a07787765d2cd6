// The device inventory on the update-check path (the fleet-view issue: "loses no more than 10% with 100,000 phones in
// the store"): the update-checks load (CX600 phones offered 4.0.7577.4366, 5,000 MACs in turn, every check recorded)
// against our server on a store whose inventory starts empty, and on a copy holding 100,000 phones (the 5,000 of the
// load, as after their first check, and 95,000 others). Both servers run at once and are measured in alternating
// rounds, so that a machine's changing load hits both alike; the ratio is of the medians. wrk rounds send a new MAC on
// every request: new phones, inserted into both inventories.
//   node --import tsx bench/inventory.ts
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Store } from '../src/server/app/store.js';
import { applyCheck, deviceIdentity } from '../src/server/domain/device-state.js';
import type { DeviceRequest } from '../src/server/domain/device.js';
import { listDevices } from '../src/server/app/inventory.js';
import { deviceQuery } from '../src/shared/inventory-api.js';
import { phoneRequestBody } from '../src/cli/phone-simulator.js';
import { multiDevicePackage } from '../test/fixtures/cabs.js';
import { fmt, heading, median, ratioRow, removeTempDir, report, runMain, tempDir, type RatioRow } from './lib/harness.js';
import { autocannonPost, wrkPost, type LoadResult } from './lib/load.js';
import { approveWhere, importInto, macOf, olderCx600, startOurServer, WRK_MISSING, type RunningChild } from './lib/setup.js';

const CONNECTIONS = 50;
const ROUNDS = 5;
const ROUND_SECONDS = 4;
const WARMUP_SECONDS = 2;
const LOAD_PHONES = 5000;
const INVENTORY = 100_000;
const OFFERED = '4.0.7577.4366';
const PATH = '/RequestHandler/ucdevice.upx';

async function main(): Promise<void> {
  const tmp = tempDir('inventory');
  const running: RunningChild[] = [];
  try {
    heading('inventory: setup');
    const empty = join(tmp, 'empty');
    const store = new Store(empty);
    try {
      await importInto(store, await multiDevicePackage(join(tmp, 'cabs')));
      await approveWhere(store, () => true);
    } finally {
      await store.close();
    }
    const full = join(tmp, 'full');
    cpSync(empty, full, { recursive: true });
    const t0 = performance.now();
    await fillInventory(full);
    console.log(`  ${fmt(INVENTORY)} phones written to the inventory of a copy in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await queryTimes(full);

    const servers = { empty: await startOurServer(empty), full: await startOurServer(full) };
    running.push(servers.empty, servers.full);
    const bodies = Array.from({ length: LOAD_PHONES }, (_, i) => phoneRequestBody(olderCx600(i)));
    const template = phoneRequestBody({ ...olderCx600(0), mac: 'MACMACMACMAC' });

    heading(`inventory: ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s per server and tool, ${CONNECTIONS} connections`);
    console.log(`  load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const rates = { ac: { empty: [] as number[], full: [] as number[] }, wrk: { empty: [] as number[], full: [] as number[] } };
    let errors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['empty', 'full'] as const) {
        const url = `${servers[name].url}${PATH}`;
        const ac = await autocannonPost(url, bodies, { connections: CONNECTIONS, seconds: ROUND_SECONDS, warmupSeconds: round === 0 ? WARMUP_SECONDS : 0 });
        const wrk = await wrkPost(url, template, { connections: CONNECTIONS, seconds: ROUND_SECONDS, dir: tmp });
        errors += failures(ac) + (wrk ? failures(wrk) : 0);
        rates.ac[name].push(ac.reqPerSec);
        if (wrk) rates.wrk[name].push(wrk.reqPerSec);
      }
      console.log(`  round ${round + 1}: autocannon empty ${fmt(rates.ac.empty[round]!)} / full ${fmt(rates.ac.full[round]!)} req/s` +
        (rates.wrk.empty.length ? `; wrk empty ${fmt(rates.wrk.empty[round]!)} / full ${fmt(rates.wrk.full[round]!)} req/s` : ''));
    }

    const row = (tool: string, r: { empty: number[]; full: number[] }) =>
      ratioRow('inventory', `req/s, 100k phones vs an empty inventory, ${tool}`, median(r.full), median(r.empty), 'req/s', { op: '>=', value: 0.9 }, `medians of ${ROUNDS} rounds; errors + timeouts + non-2xx: ${errors}`);
    const rows: RatioRow[] = [row('autocannon (5,000 known phones)', rates.ac)];
    if (rates.wrk.empty.length) rows.push(row('wrk (new phones)', rates.wrk));
    else console.log(`  wrk rounds ${WRK_MISSING}`);
    report(rows);
  } finally {
    for (const r of running.reverse()) await r.child.stop();
    removeTempDir(tmp);
  }
}

const failures = (r: LoadResult) => r.errors + r.timeouts + r.non2xx;

/** Fills the inventory of the store in dataDir with INVENTORY phones, through the domain's own transition. */
async function fillInventory(dataDir: string): Promise<void> {
  const store = new Store(dataDir);
  const kinds = [['Polycom', 'CX600', 'ENU'], ['Polycom', 'CX700', 'DEU'], ['LG-Nortel', 'IP8540', 'ENU'], ['HP', '4120', 'FRA']] as const;
  try {
    const at = new Date().toISOString();
    const changes = function* () {
      for (let n = 0; n < INVENTORY; n++) {
        const [vendor, model, locale] = kinds[n % kinds.length]!;
        const p = n < LOAD_PHONES ? olderCx600(n) : { ...olderCx600(n), mac: macOf(n, '0004F3'), vendor, model, locale };
        const request: DeviceRequest = { ...p, macRaw: p.mac, requestTime: '', modules: [{ fileName: 'cpe.nbt', version: p.version, timestamp: '01-01-1601 00:00:00' }] };
        const offer = n < LOAD_PHONES || n % 2 ? { version: OFFERED, folder: `UCPhone/${p.vendor}/${p.model}/A/${p.locale}/${OFFERED}/CPE` } : null;
        yield { before: undefined, after: applyCheck(undefined, deviceIdentity(request)!, { at, address: '127.0.0.1', request, version: p.version, offer }) };
      }
    };
    await store.engine.transaction((tx) => tx.devices.write(changes()), { wait: true });
  } finally {
    await store.close();
  }
}

/** What the admin API's inventory queries take at 100,000 phones (absolute times, for information). */
async function queryTimes(dataDir: string): Promise<void> {
  const store = new Store(dataDir);
  try {
    const queries: Record<string, Record<string, string>> = {
      'first page, newest first, counts by state': {},
      'state stuck': { state: 'stuck' },
      'model CX700, locale DEU': { model: 'cx700', locale: 'deu' },
      'search a MAC prefix': { q: '00-04-F3-01' },
      'sort by user, page 500': { sort: 'user', offset: '50000' },
    };
    for (const [what, q] of Object.entries(queries)) {
      const parsed = deviceQuery.parse(q);
      await listDevices(store, parsed);
      const t = performance.now();
      const r = await listDevices(store, parsed);
      console.log(`  GET /api/devices, ${what.padEnd(42)} ${(performance.now() - t).toFixed(1).padStart(6)} ms (${fmt(r.total)} match)`);
    }
  } finally {
    await store.close();
  }
}

runMain(main, 240_000, 'bench/inventory');
