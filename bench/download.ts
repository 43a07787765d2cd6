// Firmware downloads as phones meet them: a 30 MB CPE.nbt (a stored cab, imported) served by our server
// (/DeviceUpdateFiles_Int/...: after its first download, from the download cache), by our server with the cache off
// (every download read from the blob file), by nginx (sendfile on) serving the same blob file, and by a bare
// node:http child piping fs.createReadStream of it. wrk (a C client, 2 threads, bodies discarded) at 16 and at 64
// connections, 10 s per measurement, 3 rounds alternating between the servers (each round starting with the next
// one), median reported. The client shares the 2 cores with the server: the less CPU a server spends per byte, the
// more its client can read.
//   node --import tsx bench/download.ts
// BENCH_NGINX_WORKERS changes nginx's worker_processes (default: auto, one per core, as Debian's nginx.conf has it).
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { loadavg, userInfo } from 'node:os';
import { Store } from '../src/server/app/store.js';
import { buildCab, image, updateInfoXml } from '../test/fixtures/cabs.js';
import { fmt, freePort, heading, HOST, median, ratioRow, removeTempDir, report, runMain, startChild, tempDir, which, type Child, type RatioRow } from './lib/harness.js';
import { runBounded } from './lib/load.js';
import { approveWhere, importInto, NGINX_MISSING, nginxPath, WRK_MISSING, startBareServer, startOurServer, type RunningChild } from './lib/setup.js';

const SIZE = 30 * 1024 * 1024;
const CONNECTIONS = [16, 64];
const ROUNDS = 3;
const SECONDS = 10;
/** The client gets both cores when it needs them, as the server does: a server that needs less CPU per byte wins. */
const WRK_THREADS = 2;
const WARM_UP_SECONDS = 2;
const NGINX_WORKERS = process.env.BENCH_NGINX_WORKERS ?? 'auto';
const FOLDER = 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE';
const TARGET = 0.9;
/** USER_HZ, the unit of /proc/<pid>/stat's times (100 on every Linux this runs on). */
const CLOCK_TICKS = 100;

interface Target {
  name: string;
  url: string;
  /** The server's process (nginx's master: its workers are its children). */
  pid: number;
}

async function main(): Promise<void> {
  const tmp = tempDir('download');
  const running: { child: Child }[] = [];
  try {
    heading('download: setup');
    const dataDir = join(tmp, 'data');
    let t0 = performance.now();
    const cab = await buildCab(join(tmp, 'cabs'), 'big.cab', [updateInfoXml('4.0.7577.4366'), ...image(FOLDER, { nbtSize: SIZE })], { compress: false });
    console.log(`  built a ${fmt(SIZE / 1e6)} MB image into a stored cab in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const store = new Store(dataDir);
    let blob: string;
    let blobDir: string;
    try {
      t0 = performance.now();
      await importInto(store, cab);
      await approveWhere(store, () => true);
      // wrk opens every connection from 127.0.0.1: lift the per-address cap (64 by default) for the load tool.
      await store.settings.write({ phoneMaxConnectionsPerAddress: 1024 });
      console.log(`  imported in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const file = await store.packages.getStoreFile(`${FOLDER}/CPE.nbt`.toLowerCase());
      if (!file || file.size !== SIZE) throw new Error('the image is not in the store');
      blob = store.blobs.pathOf(file.sha256);
      blobDir = store.paths.blobDir;
    } finally {
      await store.close();
    }
    // The same store with the download cache off: every download read from the blob file (an image not yet held,
    // or one larger than downloadCacheMB, is served so).
    const diskDataDir = join(tmp, 'data-disk');
    cpSync(dataDir, diskDataDir, { recursive: true });
    const diskStore = new Store(diskDataDir);
    try {
      await diskStore.settings.write({ downloadCacheMB: 0 });
    } finally {
      await diskStore.close();
    }

    const wrk = which('wrk');
    if (!wrk) {
      console.log(`  wrk ${WRK_MISSING}`);
      report([{ bench: 'download', metric: '30 MB, 16 conn., MB/s vs nginx', ours: '-', baseline: 'skipped', ratio: null, target: `>= ${TARGET}`, met: null, note: WRK_MISSING }]);
      return;
    }

    const ours = await startOurServer(dataDir);
    running.push(ours);
    const fromDisk = await startOurServer(diskDataDir);
    running.push(fromDisk);
    const targets: Target[] = [
      { name: 'ours (ucupdates)', url: `${ours.url}/DeviceUpdateFiles_Int/${FOLDER}/CPE.nbt`, pid: ours.child.proc.pid! },
      { name: 'ours, from disk (cache 0)', url: `${fromDisk.url}/DeviceUpdateFiles_Int/${FOLDER}/CPE.nbt`, pid: fromDisk.child.proc.pid! },
    ];
    const nginx = await startNginx(tmp, blobDir);
    if (nginx) {
      running.push(nginx);
      targets.push({ name: `nginx (sendfile, ${NGINX_WORKERS} w.)`, url: `${nginx.url}/${blob.slice(blobDir.length + 1)}`, pid: nginx.child.proc.pid! });
    } else console.log(`  nginx: ${NGINX_MISSING}`);
    const bare = await startBareServer('file', blob);
    running.push(bare);
    targets.push({ name: 'bare node (createReadStream)', url: `${bare.url}/CPE.nbt`, pid: bare.child.proc.pid! });

    // wrk discards bodies: check once that every server sends the whole image, byte for byte.
    const expected = createHash('sha256').update(readFileSync(blob)).digest('hex');
    for (const t of targets) {
      const got = await sha256Of(t.url);
      if (got !== expected) throw new Error(`${t.name} did not send the image (sha-256 ${got})`);
    }

    const rows: RatioRow[] = [];
    for (const connections of CONNECTIONS) {
      heading(`download: wrk -t${WRK_THREADS} -c${connections} -d${SECONDS}s, ${fmt(SIZE / 1e6)} MB image, ${ROUNDS} rounds, each starting with the next server (after a ${WARM_UP_SECONDS} s warm-up)`);
      console.log(`  load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      for (const t of targets) await wrkGet(wrk, t.url, connections, WARM_UP_SECONDS);
      const rates = new Map<string, number[]>(targets.map((t) => [t.name, []]));
      const cpu = new Map<string, number[]>(targets.map((t) => [t.name, []]));
      for (let round = 1; round <= ROUNDS; round++) {
        const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]!);
        for (const t of order) {
          const cpuBefore = cpuSeconds(t.pid);
          const r = await wrkGet(wrk, t.url, connections, SECONDS);
          const cpuPerGB = (cpuSeconds(t.pid) - cpuBefore) / (r.mbPerSec * r.seconds / 1000);
          rates.get(t.name)!.push(r.mbPerSec);
          cpu.get(t.name)!.push(cpuPerGB);
          console.log(`  round ${round}  ${t.name.padEnd(28)} ${fmt(r.mbPerSec).padStart(7)} MB/s  server CPU ${fmt(cpuPerGB)} s/GB  (${r.downloads} downloads${r.problems ? `; ${r.problems}` : ''})`);
        }
      }
      const med = (t: Target) => median(rates.get(t.name)!);
      console.log('');
      for (const t of targets) console.log(`  ${t.name.padEnd(28)} median ${fmt(med(t)).padStart(7)} MB/s  server CPU ${fmt(median(cpu.get(t.name)!))} s/GB`);
      const of = (name: string) => med(targets.find((t) => t.name.startsWith(name))!);
      const row = (what: string, ours: number, baseline: string) =>
        nginx || baseline !== 'nginx'
          ? ratioRow('download', `30 MB, ${connections} conn., ${what} vs ${baseline}`, ours, of(baseline), 'MB/s', { op: '>=', value: TARGET })
          : { bench: 'download', metric: `30 MB, ${connections} conn., ${what} vs nginx`, ours: `${fmt(ours)} MB/s`, baseline: 'skipped', ratio: null, target: `>= ${TARGET}`, met: null, note: NGINX_MISSING };
      rows.push(row('MB/s', of('ours (ucupdates)'), 'nginx'), row('from disk', of('ours, from disk'), 'nginx'), row('from disk', of('ours, from disk'), 'bare node'));
    }
    report(rows);
  } finally {
    for (const r of running.reverse()) await r.child.stop();
    removeTempDir(tmp);
  }
}

/** wrk GETting url over `connections` kept-alive connections for `seconds`; MB/s (10^6 bytes) of what was read. */
async function wrkGet(wrk: string, url: string, connections: number, seconds: number): Promise<{ mbPerSec: number; seconds: number; downloads: number; problems: string }> {
  const out = await runBounded(wrk, [`-t${WRK_THREADS}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', '-H', 'User-Agent: Microsoft UCPhone Device', url], (seconds + 40) * 1000);
  const m = /(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB) read/.exec(out);
  if (!m) throw new Error(`cannot read wrk's output:\n${out}`);
  const elapsed = Number(m[2]) * { us: 1e-6, ms: 1e-3, s: 1, m: 60 }[m[3] as 's'];
  const bytes = Number(m[4]) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[5] as 'B'];
  const problems = [/Non-2xx or 3xx responses: \d+/.exec(out)?.[0], /Socket errors: .*/.exec(out)?.[0]].filter(Boolean).join('; ');
  return { mbPerSec: bytes / 1e6 / elapsed, seconds: elapsed, downloads: Number(m[1]), problems };
}

/**
 * CPU seconds (user + system) a server process and its children (nginx's workers) have used, from /proc: what it
 * costs per byte, which the noise of other work on a shared machine does not change as much as the rate. NaN off Linux.
 */
function cpuSeconds(pid: number): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    let ticks = 0;
    for (const p of [pid, ...children]) {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    }
    return ticks / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

function sha256Of(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const hash = createHash('sha256');
        res.on('data', (c: Buffer) => hash.update(c));
        res.on('end', () => resolve(res.statusCode === 200 ? hash.digest('hex') : `HTTP ${res.statusCode}`));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * nginx serving root, in the foreground, when installed; undefined (and says why) otherwise. A production-like
 * configuration: a master and NGINX_WORKERS workers (auto: one per core), sendfile, tcp_nopush, keep-alive; the
 * workers run as our user (as root, nginx would make them nobody, who cannot read the temp folder).
 */
async function startNginx(tmp: string, root: string): Promise<(RunningChild & { child: Child }) | undefined> {
  const bin = nginxPath();
  if (!bin) return undefined;
  const dir = join(tmp, 'nginx');
  const port = await freePort();
  const conf = join(tmp, 'nginx.conf');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    conf,
    `daemon off;
user ${userInfo().username};
worker_processes ${NGINX_WORKERS};
error_log ${dir}/e.log;
pid ${dir}/pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen ${HOST}:${port};
    root ${root};
  }
}
`,
  );
  const child = startChild(bin, ['-c', conf, '-p', `${dir}/`], { ipc: false });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.proc.exitCode !== null || Date.now() > deadline) {
      await child.stop();
      console.log(`  nginx (${bin}) did not start; see ${dir}/e.log. Running without it.`);
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, url: `http://${HOST}:${port}` };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, HOST);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

runMain(main, 420_000, 'bench/download');
