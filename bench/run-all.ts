// `npm run bench`: every benchmark in turn, each in its own process (so none inherits another's heap, servers or
// temp files), then one summary of the ratios against their targets. Timings never fail the run: a benchmark that
// crashes or overruns its bound does (exit code 1).
//   node --import tsx bench/run-all.ts [update-checks inventory judge fleet storm download import cli-start devices-tab soak pool]
import { loadavg } from 'node:os';
import { printTable, startChild, type RatioRow } from './lib/harness.js';

const BENCHES: { name: string; boundMs: number }[] = [
  { name: 'update-checks', boundMs: 180_000 },
  { name: 'inventory', boundMs: 240_000 },
  { name: 'judge', boundMs: 300_000 },
  { name: 'fleet', boundMs: 420_000 },
  { name: 'storm', boundMs: 240_000 },
  { name: 'download', boundMs: 420_000 },
  { name: 'import', boundMs: 300_000 },
  { name: 'cli-start', boundMs: 180_000 },
  { name: 'devices-tab', boundMs: 300_000 },
  { name: 'soak', boundMs: 360_000 },
  { name: 'pool', boundMs: 900_000 },
];

const only = process.argv.slice(2);
const selected = only.length ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
if (selected.length === 0) {
  console.error(`Unknown benchmark: ${only.join(' ')}. Known: ${BENCHES.map((b) => b.name).join(', ')}.`);
  process.exit(2);
}

const started = Date.now();
const rows: RatioRow[] = [];
const failed: string[] = [];
console.log(`ucupdates benchmarks (${selected.map((b) => b.name).join(', ')}); load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const b of selected) {
  const t0 = Date.now();
  console.log(`\n######## bench/${b.name}.ts ########`);
  const child = startChild(`bench/${b.name}.ts`, [], { tsx: true });
  child.proc.on('message', (m) => {
    const msg = m as { type?: string; rows?: RatioRow[] };
    if (msg.type === 'result' && msg.rows) rows.push(...msg.rows);
  });
  const timer = setTimeout(() => {
    console.error(`bench/${b.name}.ts overran its ${b.boundMs / 1000} s bound: stopping it.`);
    child.proc.kill('SIGTERM');
    setTimeout(() => child.proc.kill('SIGKILL'), 10_000).unref();
  }, b.boundMs);
  const code = await new Promise<number | null>((resolve) => child.proc.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) failed.push(`${b.name} (exit code ${code})`);
  console.log(`######## bench/${b.name}.ts: ${code === 0 ? 'done' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

console.log(`\n================ summary (ratio = ours / baseline, measured in this run; informative, never asserted) ================`);
printTable(rows);
console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s; load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (failed.length) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exit(1);
}
process.exit(0);
