// Firmware downloads: a 50 MB CPE.nbt served by our server (/DeviceUpdateFiles_Int/...), by a bare node:http child
// piping fs.createReadStream of the same blob file, and by nginx (sendfile) serving that file when nginx is installed.
// Each server gets 4 connections x 8 full downloads, read and counted in this process; rounds alternate between the
// servers (each round starting with the next one) and the median round is reported.
//   node --import tsx bench/download.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Store } from '../src/server/app/store.js';
import { buildCab, image, updateInfoXml } from '../test/fixtures/cabs.js';
import { fmt, freePort, heading, HOST, median, ratioRow, removeTempDir, report, runMain, startChild, tempDir, which, type Child, type RatioRow } from './lib/harness.js';
import { runBounded } from './lib/load.js';
import { approveWhere, importInto, NGINX_MISSING, nginxPath, WRK_MISSING, startBareServer, startOurServer, type RunningChild } from './lib/setup.js';

const SIZE = 50 * 1024 * 1024;
const CONNECTIONS = 4;
const PER_CONNECTION = 8;
const ROUNDS = 5;
const WRK_SECONDS = 4;
const FOLDER = 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE';

interface Target {
  name: string;
  url: string;
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
      console.log(`  imported in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const file = await store.packages.getStoreFile(`${FOLDER}/CPE.nbt`.toLowerCase());
      if (!file || file.size !== SIZE) throw new Error('the image is not in the store');
      blob = store.blobs.pathOf(file.sha256);
      blobDir = store.paths.blobDir;
    } finally {
      await store.close();
    }

    const ours = await startOurServer(dataDir);
    running.push(ours);
    const bare = await startBareServer('file', blob);
    running.push(bare);
    const targets: Target[] = [
      { name: 'ours (ucupdates)', url: `${ours.url}/DeviceUpdateFiles_Int/${FOLDER}/CPE.nbt` },
      { name: 'bare node:http', url: `${bare.url}/CPE.nbt` },
    ];
    const nginx = await startNginx(tmp, blobDir);
    if (nginx) {
      running.push(nginx);
      targets.push({ name: 'nginx (sendfile)', url: `${nginx.url}/${blob.slice(blobDir.length + 1)}` });
    } else console.log(`  nginx: ${NGINX_MISSING}`);

    heading(`download: ${CONNECTIONS} connections x ${PER_CONNECTION} downloads of ${fmt(SIZE / 1e6)} MB each, ${ROUNDS} rounds, each starting with the next server (after one warm-up download per connection)`);
    console.log(`  load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const rates = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (const t of targets) await downloads(t.url, CONNECTIONS, 1);
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round starts with the next server, so that none always goes first.
      const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]!);
      for (const t of order) {
        const r = await downloads(t.url, CONNECTIONS, PER_CONNECTION);
        rates.get(t.name)!.push(r.mbPerSec);
        console.log(`  round ${round}  ${t.name.padEnd(18)} ${fmt(r.mbPerSec).padStart(7)} MB/s  (${r.count} downloads, ${fmt(r.bytes / 1e6)} MB in ${r.seconds.toFixed(2)} s)`);
      }
    }
    const med = (name: string) => median(rates.get(name)!);
    console.log('');
    for (const t of targets) console.log(`  ${t.name.padEnd(18)} median ${fmt(med(t.name))} MB/s`);

    // Cross-check with a client written in C (our reading client shares the two cores with the server).
    const wrkRates = new Map<string, number>();
    if (which('wrk')) {
      console.log(`\n  wrk -t1 -c${CONNECTIONS} -d${WRK_SECONDS}s (a C client, bodies discarded):`);
      for (const t of targets) {
        const out = await runBounded('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${WRK_SECONDS}s`, '--timeout', '30s', t.url], (WRK_SECONDS + 30) * 1000);
        const m = /([\d.]+) requests in ([\d.]+)s, ([\d.]+)(KB|MB|GB) read/.exec(out);
        const bad = /Non-2xx|Socket errors/.exec(out);
        if (!m) throw new Error(`cannot read wrk's output:\n${out}`);
        const mb = (Number(m[3]) * { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[4] as 'KB']) / 1e6 / Number(m[2]);
        wrkRates.set(t.name, mb);
        console.log(`  ${t.name.padEnd(18)} ${fmt(mb).padStart(7)} MB/s  (${m[1]} downloads${bad ? `; ${bad[0]} reported` : ''})`);
      }
    } else console.log(`\n  wrk cross-check ${WRK_MISSING}`);

    const rows: RatioRow[] = [ratioRow('download', '50 MB, MB/s vs bare node', med(targets[0]!.name), med(targets[1]!.name), 'MB/s', { op: '>=', value: 0.9 })];
    if (nginx) rows.push(ratioRow('download', '50 MB, MB/s vs nginx', med(targets[0]!.name), med(targets[2]!.name), 'MB/s', { op: '>=', value: 0.9 }));
    else rows.push({ bench: 'download', metric: '50 MB, MB/s vs nginx', ours: `${fmt(med(targets[0]!.name))} MB/s`, baseline: 'skipped', ratio: null, target: '>= 0.9', met: null, note: NGINX_MISSING });
    if (wrkRates.size > 0) {
      rows.push(ratioRow('download', '50 MB, wrk, vs bare node', wrkRates.get(targets[0]!.name)!, wrkRates.get(targets[1]!.name)!, 'MB/s', { op: '>=', value: 0.9 }));
      if (nginx) rows.push(ratioRow('download', '50 MB, wrk, vs nginx', wrkRates.get(targets[0]!.name)!, wrkRates.get(targets[2]!.name)!, 'MB/s', { op: '>=', value: 0.9 }));
    }
    report(rows);
  } finally {
    for (const r of running.reverse()) await r.child.stop();
    removeTempDir(tmp);
  }
}

/** `connections` parallel loops, each downloading `each` times over one kept-alive connection; every length checked. */
async function downloads(url: string, connections: number, each: number): Promise<{ mbPerSec: number; bytes: number; count: number; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let bytes = 0;
  let count = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let i = 0; i < each; i++) {
          const n = await downloadOnce(url, agent);
          if (n !== SIZE) throw new Error(`${url}: downloaded ${n} bytes, expected ${SIZE}`);
          bytes += n;
          count++;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { mbPerSec: bytes / 1e6 / seconds, bytes, count, seconds };
}

function downloadOnce(url: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { 'User-Agent': 'Microsoft UCPhone Device' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`${url}: HTTP ${res.statusCode}`));
      }
      const declared = Number(res.headers['content-length']);
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => (declared === n ? resolve(n) : reject(new Error(`${url}: Content-Length ${declared} but ${n} bytes arrived`))));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${url}: no progress for 60 s`)));
    req.on('error', reject);
  });
}

/** nginx serving root, single process in the foreground, when installed; undefined (and says why) otherwise. */
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
master_process off;
worker_processes 1;
error_log ${dir}/e.log;
pid ${dir}/pid;
events {}
http {
  access_log off;
  sendfile on;
  client_body_temp_path ${dir}/body;
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

runMain(main, 300_000, 'bench/download');
