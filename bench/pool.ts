// Pool mode: three nodes on loopback sharing one store on a throwaway PostgreSQL cluster, behind one nginx balancer
// (least connections, as deploy/nginx/ucupdates-pool.conf), against one embedded node on the same data.
// Prints: checks/s of 100,000 distinct phones through the balancer against the embedded node (same phones, same load
// tool, same run); how long an approval made on the store takes to be offered by every node; and, in a second storm
// through the balancer, the inventory rows lost when one node is killed with SIGKILL half way.
//   node --import tsx bench/pool.ts        (POOL_PHONES=20000 for a quicker run)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateCheck } from '../src/cli/phone-simulator.js';
import { phoneRequestBody } from '../src/cli/phone-simulator.js';
import { applyRuleAction } from '../src/server/app/rule-actions.js';
import { openStore, Store } from '../src/server/app/store.js';
import { multiDevicePackage, newerPackage } from '../test/fixtures/cabs.js';
import { pgMissing, startPgCluster, type PgCluster } from '../test/pg-cluster.js';
import { fmt, freePort, heading, HOST, ratioRow, removeTempDir, report, runMain, startChild, tempDir, type RatioRow } from './lib/harness.js';
import { phonesOnce, printLoad, type PhonesOnce } from './lib/load.js';
import { ACTOR, approveWhere, importInto, nginxPath, NGINX_MISSING, olderCx600, startOurServer, type RunningChild } from './lib/setup.js';

const PHONES = Number(process.env.POOL_PHONES ?? 100_000);
const NODES = 3;
const CONNECTIONS = 100;
const BOUND_MS = 180_000;

async function startNode(dataDir: string, pool: string): Promise<RunningChild> {
  const child = startChild('bench/lib/server-child.ts', [dataDir, pool], { tsx: true });
  const port = Number((await child.ready).http);
  return { child, port, url: `http://${HOST}:${port}` };
}

/** nginx in front of the nodes (as deploy/nginx/ucupdates-pool.conf), on a free port. */
async function startBalancer(dir: string, ports: number[]): Promise<RunningChild> {
  const nginx = nginxPath();
  if (!nginx) throw new Error(NGINX_MISSING);
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream ucupdates { least_conn; ${ports.map((p) => `server ${HOST}:${p} max_fails=3 fail_timeout=10s;`).join(' ')} keepalive 64; }
  server {
    listen ${HOST}:${port};
    client_max_body_size 64k;
    location / {
      proxy_pass http://ucupdates;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # A node that dies mid-request: an update check is safe to ask again of another node.
      proxy_next_upstream error timeout http_502 non_idempotent;
    }
  }
}
`,
  );
  const child = startChild(nginx, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { ipc: false, quiet: true });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://${HOST}:${port}/`).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, url: `http://${HOST}:${port}` };
}

/** Milliseconds from an approval written to the pool until every node offers it to a phone that asks. */
async function propagation(store: Store, nodes: RunningChild[], version: string): Promise<number> {
  const probe = olderCx600(0xfff000);
  const rule = (await store.rules.list()).find((r) => r.model === 'CX600' && r.locale === 'ENU' && r.pending === version)!;
  const t0 = performance.now();
  // Phones ask while the approval is written (write() returns only once the inventory is judged again, later).
  const approval = applyRuleAction(store, 'approve', [rule.id], ACTOR);
  const waiting = new Set(nodes);
  while (waiting.size > 0 && performance.now() - t0 < 30_000) {
    for (const n of [...waiting]) if ((await simulateCheck(n.url, probe)).response?.files[0]?.version === version) waiting.delete(n);
  }
  const offeredAfter = performance.now() - t0;
  await approval;
  console.log(`  (the approval's write(), the inventory judged again included, returned after ${(performance.now() - t0).toFixed(0)} ms)`);
  if (waiting.size > 0) throw new Error('an approval was not offered by every node within 30 s');
  return offeredAfter;
}

async function devicesIn(store: Store): Promise<number> {
  const counts = await store.devices.countByState({}, { stuckBefore: '0', silentBefore: '0' });
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  const skip = pgMissing();
  if (skip) return console.log(`bench/pool: skipped: ${skip}`);
  const tmp = tempDir('pool');
  const running: RunningChild[] = [];
  let cluster: PgCluster | undefined;
  try {
    heading(`pool: setup (${NODES} nodes behind nginx, ${fmt(PHONES)} phones)`);
    cluster = await startPgCluster();
    const cabs = join(tmp, 'cabs');
    const embeddedDir = join(tmp, 'embedded');
    // The same data in both stores: CX600 4366 approved; a newer CX600 pending (approved later, to time propagation).
    const embedded = new Store(embeddedDir);
    const pool = await openStore(join(tmp, 'bench-node'), { pool: cluster.url });
    for (const store of [embedded, pool]) {
      // The load tool is one address standing in for 100,000 phones: lift the per-address connection cap above its 100.
      await store.settings.write({ phoneMaxConnectionsPerAddress: 1024 });
      await importInto(store, await multiDevicePackage(cabs));
      await approveWhere(store, () => true);
      await importInto(store, await newerPackage(cabs));
    }
    await embedded.close();
    const bodies = Array.from({ length: PHONES }, (_, n) => phoneRequestBody(olderCx600(n)));

    heading(`pool: ${fmt(PHONES)} phones check once each, autocannon, ${CONNECTIONS} connections`);
    const one = await startOurServer(embeddedDir);
    running.push(one);
    const embeddedRun = await phonesOnce(one.url, bodies, CONNECTIONS, BOUND_MS);
    await one.child.stop();
    running.pop();

    const nodes: RunningChild[] = [];
    for (let i = 0; i < NODES; i++) nodes.push(await startNode(join(tmp, `node${i}`), cluster.url));
    running.push(...nodes);
    const balancer = await startBalancer(join(tmp, 'nginx'), nodes.map((n) => n.port));
    running.push(balancer);
    const poolRun = await phonesOnce(balancer.url, bodies, CONNECTIONS, BOUND_MS);
    printLoad(`embedded, 1 node`, embeddedRun.load);
    printLoad(`pool, ${NODES} nodes + nginx`, poolRun.load);
    console.log(`  elapsed: embedded ${embeddedRun.elapsed.toFixed(1)} s, pool ${poolRun.elapsed.toFixed(1)} s`);
    // Every phone answered is one row of the shared inventory once the nodes have flushed (each within a second).
    await new Promise((r) => setTimeout(r, 2_500));
    const rows = await devicesIn(pool);
    console.log(`  inventory rows in the pool: ${fmt(rows)} (phones answered: ${fmt(poolRun.load.total - poolRun.load.errors - poolRun.load.non2xx)})`);

    heading('pool: propagation of an approval to every node');
    const ms = await propagation(pool, nodes, '4.0.7577.4387');
    console.log(`  approved on the store; offered by all ${NODES} nodes after ${ms.toFixed(0)} ms`);

    heading(`pool: a node killed with SIGKILL half way through a second storm of ${fmt(PHONES)} new phones`);
    const fresh = Array.from({ length: PHONES }, (_, n) => phoneRequestBody(olderCx600(PHONES + n)));
    const before = await devicesIn(pool);
    const victim = nodes[1]!;
    const storm = phonesOnce(balancer.url, fresh, CONNECTIONS, BOUND_MS);
    const killer = (async () => {
      while ((await devicesIn(pool)) - before < PHONES / 2) await new Promise((r) => setTimeout(r, 100));
      victim.child.proc.kill('SIGKILL');
    })();
    const killedRun: PhonesOnce = await storm;
    await killer;
    await new Promise((r) => setTimeout(r, 2_500));
    const answered = killedRun.load.total - killedRun.load.errors - killedRun.load.non2xx - killedRun.load.timeouts;
    const lost = Math.max(0, answered - ((await devicesIn(pool)) - before));
    // In seconds of the killed node's own traffic (a third of the storm's): what it held unflushed when it died.
    const lostSeconds = lost / (killedRun.load.reqPerSec / NODES);
    printLoad(`pool, one node killed`, killedRun.load);
    console.log(`  phones answered ${fmt(answered)}; rows lost with the killed node: ${fmt(lost)} (${lostSeconds.toFixed(1)} s of its traffic: the batch being written and the one filling)`);
    await pool.close();

    const rowsTable: RatioRow[] = [
      ratioRow('pool', `${fmt(PHONES)} phones, checks/s, ${NODES} nodes vs 1 embedded`, poolRun.load.reqPerSec, embeddedRun.load.reqPerSec, 'req/s', { op: '>=', value: 0.6 }, 'three nodes share two cores with nginx, PostgreSQL and the load tool'),
      {
        bench: 'pool',
        metric: 'errors + timeouts + non-2xx (pool)',
        ours: String(poolRun.load.errors + poolRun.load.timeouts + poolRun.load.non2xx),
        baseline: String(embeddedRun.load.errors + embeddedRun.load.timeouts + embeddedRun.load.non2xx),
        ratio: null,
        target: '= 0',
        met: poolRun.load.errors + poolRun.load.timeouts + poolRun.load.non2xx === 0,
      },
      ratioRow('pool', 'approval offered by every node', ms, 1000, 'ms', { op: '<=', value: 1 }, 'target: within 1 s (the baseline column is the target)'),
      { bench: 'pool', metric: 'rows lost, node killed mid-storm', ours: `${fmt(lost)} (${lostSeconds.toFixed(1)} s)`, baseline: '-', ratio: null, target: '<= 2 s (1 s filling + 1 in flight)', met: lostSeconds <= 2 },
    ];
    report(rowsTable);
  } finally {
    for (const r of running.reverse()) await r.child.stop();
    cluster?.remove();
    removeTempDir(tmp);
  }
}

runMain(main, 900_000, 'bench/pool');
