// A fleet: 100,000 distinct phones (distinct MACs and serials; a mix of models, versions and locales: some offered an
// update, some up to date, some with no rule for their locale or model, some needing the interim image, some test
// devices getting the pending version) each checking once, as fast as the server allows, bounded at 120 s.
// The baseline, in the same run and with the same load tool, is the bare node:http child answering every request
// with the bytes of an offer (it does no work, so its time is what the machine and the load tool allow).
// Afterwards the server's audit log must hold one line per phone, and its RSS (with 100,000 phones in its inventory) is printed.
//   node --import tsx bench/fleet.ts        (FLEET_PHONES=20000 for a quicker run)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Store } from '../src/server/app/store.js';
import { httpRequest, phoneRequestBody, simulateCheck, type SimulatedPhone } from '../src/cli/phone-simulator.js';
import { logFolders } from '../src/server/infra/logs/log-folders.js';
import { buildCab, image, interimPackage, multiDevicePackage, newerPackage, updateInfoXml } from '../test/fixtures/cabs.js';
import { fmt, heading, ratioRow, removeTempDir, report, runMain, tempDir, type RatioRow } from './lib/harness.js';
import { PHONE_HEADERS, phonesOnce, printLoad, type PhonesOnce } from './lib/load.js';
import { rssOf } from './lib/rss.js';
import { addTestDevices, approveWhere, importInto, macOf, serialOf, startBareServer, startOurServer, type RunningChild } from './lib/setup.js';

const PHONES = Number(process.env.FLEET_PHONES ?? 100_000);
const CONNECTIONS = 100;
const BOUND_MS = 120_000;
const TARGET_SECONDS = 60;
const RSS_TARGET_MB = 200;
const PATH = '/RequestHandler/ucdevice.upx';

interface Kind {
  name: string;
  /** Parts per 1000 of the fleet. */
  weight: number;
  phone: Omit<SimulatedPhone, 'mac' | 'serial' | 'userName'>;
  /** Whether a phone of this kind (not a test device) is offered something. */
  offered: boolean;
  /** Test devices among these phones get the pending version. */
  testDevices?: number;
}

const ucphone = { deviceType: 'UCPhone', revision: 'A', locale: 'ENU' };
const KINDS: Kind[] = [
  { name: 'CX600 ENU, up to date (4366)', weight: 350, phone: { ...ucphone, vendor: 'Polycom', model: 'CX600', version: '4.0.7577.4366' }, offered: false, testDevices: 150 },
  { name: 'CX600 ENU, older CU (4115)', weight: 150, phone: { ...ucphone, vendor: 'Polycom', model: 'CX600', version: '4.0.7577.4115' }, offered: true, testDevices: 150 },
  { name: 'CX600 ENU, factory 1.0.522.98 (interim)', weight: 30, phone: { ...ucphone, vendor: 'Polycom', model: 'CX600', version: '1.0.522.98' }, offered: true },
  { name: 'CX600 DEU (no rule for locale)', weight: 20, phone: { ...ucphone, vendor: 'Polycom', model: 'CX600', locale: 'DEU', version: '4.0.7577.4115' }, offered: false },
  { name: 'CX700 ENU, up to date', weight: 100, phone: { ...ucphone, vendor: 'Polycom', model: 'CX700', version: '3.5.6907.0' }, offered: false },
  { name: 'CX700 ENU, older', weight: 50, phone: { ...ucphone, vendor: 'Polycom', model: 'CX700', version: '3.5.6900.0' }, offered: true },
  { name: 'CX700 DEU, older', weight: 50, phone: { ...ucphone, vendor: 'Polycom', model: 'CX700', locale: 'DEU', version: '3.5.6900.0' }, offered: true },
  { name: 'CX700 FRA (no rule for locale)', weight: 20, phone: { ...ucphone, vendor: 'Polycom', model: 'CX700', locale: 'FRA', version: '3.5.6900.0' }, offered: false },
  { name: 'IP8540 ENU, older', weight: 80, phone: { ...ucphone, vendor: 'LG-Nortel', model: 'IP8540', version: '3.5.6900.0' }, offered: true },
  { name: 'Aastra 6725ip (pending only)', weight: 50, phone: { ...ucphone, vendor: 'Aastra', model: '6725ip', version: '4.0.7577.4100' }, offered: false, testDevices: 200 },
  { name: 'HP 4120 ENU, older', weight: 50, phone: { ...ucphone, vendor: 'HP', model: '4120', version: '4.0.7577.4100' }, offered: true },
  { name: 'RoundTable ENU, older', weight: 10, phone: { deviceType: 'RoundTable', vendor: 'Polycom', model: 'CX5000', revision: 'A', locale: 'ENU', version: '1.5.1000.0' }, offered: true },
  { name: 'CX3000 (no package for the model)', weight: 40, phone: { ...ucphone, vendor: 'Polycom', model: 'CX3000', version: '4.0.7577.4100' }, offered: false },
];

/** Phone n's kind: a fixed pseudo-random order, so kinds are interleaved over the run. */
function kindOf(n: number): Kind {
  let slot = Math.imul(n, 2654435761) >>> 0;
  slot %= 1000;
  for (const k of KINDS) {
    if (slot < k.weight) return k;
    slot -= k.weight;
  }
  return KINDS[0]!;
}

const phoneOf = (n: number): SimulatedPhone => ({ ...kindOf(n).phone, mac: macOf(n), serial: serialOf(n), userName: `user${n}@contoso.com` });

async function main(): Promise<void> {
  const tmp = tempDir('fleet');
  const running: RunningChild[] = [];
  try {
    heading(`fleet: setup (${fmt(PHONES)} phones)`);
    if (KINDS.reduce((n, k) => n + k.weight, 0) !== 1000) throw new Error('the kinds\' weights must add up to 1000');
    const dataDir = join(tmp, 'data');
    const cabs = join(tmp, 'cabs');
    const store = new Store(dataDir);
    const testDevices: { name: string; mac?: string; serial?: string }[] = [];
    const testPhones = new Set<number>();
    try {
      // The load tool is one address standing in for 100,000 phones: lift the per-address connection cap above its 100.
      await store.settings.write({ phoneMaxConnectionsPerAddress: 1024 });
      await importInto(store, await multiDevicePackage(cabs));
      await importInto(
        store,
        await buildCab(cabs, 'others.cab', [
          updateInfoXml('4.0.7577.4455'),
          ...image('UCPhone/Aastra/6725ip/A/ENU/4.0.7577.4455/CPE'),
          ...image('UCPhone/HP/4120/A/ENU/4.0.7577.4455/CPE'),
          ...image('RoundTable/Polycom/CX5000/A/ENU/1.5.1100.0/CPE'),
        ]),
      );
      await importInto(store, await interimPackage(cabs), 'interim');
      await approveWhere(store, (rule) => !/\/Aastra\//.test(rule));
      // CX600 CU8 lands as Pending: only test devices get it.
      await importInto(store, await newerPackage(cabs));
      // Test devices, half by MAC and half by serial number, among the kinds that name them.
      const wanted = new Map(KINDS.filter((k) => k.testDevices).map((k) => [k, k.testDevices!]));
      for (let n = 0; n < PHONES && [...wanted.values()].some((v) => v > 0); n++) {
        const k = kindOf(n);
        const left = wanted.get(k);
        if (!left) continue;
        wanted.set(k, left - 1);
        testPhones.add(n);
        testDevices.push(testDevices.length % 2 ? { name: `Test ${n}`, serial: serialOf(n) } : { name: `Test ${n}`, mac: macOf(n) });
      }
      const t0 = performance.now();
      await addTestDevices(store, testDevices);
      console.log(`  ${testDevices.length} test devices added in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      for (const r of await store.rules.list()) console.log(`  rule ${r.deviceType}/${r.vendor}/${r.model}/${r.revision}/${r.locale}/${r.updateType}: approved ${r.approved ?? '-'}, pending ${r.pending ?? '-'}`);
    } finally {
      await store.close();
    }

    const ours = await startOurServer(dataDir);
    running.push(ours);

    // Every kind answers as expected (checked with phones outside the fleet's MAC range, so the fleet still checks once).
    console.log('  expected outcomes, one phone per kind:');
    const counts = new Map<Kind, number>();
    for (let n = 0; n < PHONES; n++) counts.set(kindOf(n), (counts.get(kindOf(n)) ?? 0) + 1);
    let offerBody: Buffer | undefined;
    for (const [i, k] of KINDS.entries()) {
      const probe = { ...k.phone, mac: macOf(0xf00000 + i), serial: `PROBE${i}`, userName: '' };
      const r = await simulateCheck(ours.url, probe);
      const got = r.response?.files[0] ? `offered ${r.response.files[0].version}` : `nothing${r.response?.langList.length ? ` (LangList ${r.response.langList.join('|')})` : ''}`;
      const ok = r.status === 200 && Boolean(r.response?.files.length) === k.offered;
      console.log(`    ${k.name.padEnd(42)} ${String(counts.get(k) ?? 0).padStart(6)} phones  ${got}${ok ? '' : '   <-- UNEXPECTED'}`);
      if (!ok) throw new Error(`the data setup is wrong: ${k.name} answered ${r.status} ${r.raw}`);
      if (k.offered && !offerBody) offerBody = (await httpRequest(`${ours.url}${PATH}`, { method: 'POST', body: phoneRequestBody(probe), headers: PHONE_HEADERS })).body;
    }
    // Test devices are offered the pending version whatever they run.
    const expectedOffers = [...Array(PHONES).keys()].filter((n) => kindOf(n).offered || testPhones.has(n)).length;

    const bodies = Array.from({ length: PHONES }, (_, n) => phoneRequestBody(phoneOf(n)));
    heading(`fleet: ${fmt(PHONES)} phones check once each, autocannon, ${CONNECTIONS} connections (bounded at ${BOUND_MS / 1000} s)`);
    console.log(`  load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const oursRun = await phonesOnce(ours.url, bodies, CONNECTIONS, BOUND_MS);
    // The server's memory once the fleet is in its inventory (the recorder flushes within a second).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const rss = rssOf(ours.child.proc.pid);
    await ours.child.stop();
    running.pop();
    const inventory = await withStore(dataDir, (s) => s.devices.count());

    // Our logs: one audit line per phone, each MAC once.
    const audit = readLines(logFolders(join(dataDir, 'Logs')).audit).filter((l) => !l.startsWith('Logging DateTime'));
    const access = readLines(logFolders(join(dataDir, 'Logs')).access).filter((l) => !l.startsWith('#'));
    const macs = new Set(audit.map((l) => /"([0-9A-F]{12})"/.exec(l)?.[1]).filter((m) => m && m.startsWith('0004F2') && parseInt(m.slice(6), 16) < PHONES));
    const offered = audit.filter((l) => /DeviceUpdateFiles_/i.test(l) && !/PROBE/.test(l)).length;

    // Baseline: the bare child, answering every phone with an offer's bytes.
    const bareFile = join(tmp, 'offer.xml');
    writeFileSync(bareFile, offerBody!);
    const bare = await startBareServer('fixed', bareFile);
    running.push(bare);
    const bareRun = await phonesOnce(bare.url, bodies, CONNECTIONS, BOUND_MS);
    await bare.child.stop();
    running.pop();

    console.log('');
    print('ours (ucupdates)', oursRun);
    print('bare node:http', bareRun);
    console.log(`  our audit log: ${audit.length} lines (${macs.size} distinct fleet MACs of ${PHONES}); access log: ${access.length} lines; offers logged: ${offered} (expected about ${expectedOffers})`);
    if (rss) console.log(`  our server with ${fmt(inventory)} phones in its inventory: RSS ${fmt(rss.rssMB)} MB (peak ${fmt(rss.peakMB)} MB)`);
    if (macs.size !== PHONES) console.log(`  NOTE: ${PHONES - macs.size} phones are missing from the audit log (dropped log lines or failed requests).`);

    const rows: RatioRow[] = [
      ratioRow('fleet', `${fmt(PHONES)} phones, elapsed`, oursRun.elapsed, TARGET_SECONDS, 's', { op: '<=', value: 1 }, `target: <= ${TARGET_SECONDS} s (the baseline column is the target, not a measurement)`),
      ratioRow('fleet', `${fmt(PHONES)} phones, req/s vs bare`, oursRun.load.reqPerSec, bareRun.load.reqPerSec, 'req/s', { op: '>=', value: 0.6 }, `bare took ${bareRun.elapsed.toFixed(1)} s`),
      {
        bench: 'fleet',
        metric: 'errors + timeouts + non-2xx',
        ours: String(oursRun.load.errors + oursRun.load.timeouts + oursRun.load.non2xx),
        baseline: String(bareRun.load.errors + bareRun.load.timeouts + bareRun.load.non2xx),
        ratio: null,
        target: '= 0',
        met: oursRun.load.errors + oursRun.load.timeouts + oursRun.load.non2xx === 0 && oursRun.load.total >= PHONES,
        ...(oursRun.load.total < PHONES ? { note: `only ${oursRun.load.total} of ${PHONES} requests were answered within the bound` } : {}),
      },
    ];
    if (rss) {
      rows.push(ratioRow('fleet', `server RSS, ${fmt(inventory)} phones in the inventory`, rss.rssMB, RSS_TARGET_MB, 'MB', { op: '<=', value: 1 },
        `target: < ${RSS_TARGET_MB} MB (the baseline column is the target); peak during the fleet ${fmt(rss.peakMB)} MB`));
    }
    report(rows);
  } finally {
    for (const r of running.reverse()) await r.child.stop();
    removeTempDir(tmp);
  }
}

function print(label: string, r: PhonesOnce): void {
  printLoad(label, r.load);
  console.log(`  ${''.padEnd(22)} elapsed ${r.elapsed.toFixed(1)} s${r.stoppedByBound ? ' (STOPPED at the bound)' : ''}`);
}

async function withStore<T>(dataDir: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = new Store(dataDir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function readLines(dir: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => readFileSync(join(dir, n), 'utf8').split(/\r?\n/).filter(Boolean));
}

runMain(main, 420_000, 'bench/fleet');
