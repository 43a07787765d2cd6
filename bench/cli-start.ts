// CLI start-up as admins meet it: the compiled `ucupdates --version`, and `ucupdates rules` on a small store (one
// package of four images, one rule approved), each a whole process from spawn to exit, median of 9 runs. Node's own
// start (`node -e 0`) is timed in the same rounds and printed beside: it is the floor no command can go below.
// The targets are absolute (150 ms, 300 ms): the ratio printed is ours / target, met when ≤ 1.
//   node --import tsx bench/cli-start.ts
import { join } from 'node:path';
import { Store } from '../src/server/app/store.js';
import { buildCab, multiDeviceFiles } from '../test/fixtures/cabs.js';
import { CLI, ensureCompiledCli, timeProcess } from './lib/cli-process.js';
import { heading, median, ratioRow, removeTempDir, report, runMain, tempDir } from './lib/harness.js';
import { approveWhere, importInto } from './lib/setup.js';

const RUNS = 9;
// As admins type them: `--version` alone, `rules` on the data folder.
const COMMANDS = [
  { name: '--version', args: () => ['--version'], targetMs: 150 },
  { name: 'rules (small store)', args: (data: string) => ['--data', data, 'rules'], targetMs: 300 },
];

async function main(): Promise<void> {
  const tmp = tempDir('cli-start');
  try {
    heading('cli-start: setup');
    ensureCompiledCli();
    const dataDir = join(tmp, 'data');
    const store = new Store(dataDir);
    try {
      await importInto(store, await buildCab(join(tmp, 'cabs'), 'UCUpdates.cab', multiDeviceFiles({ nbtSize: 4096 })));
      await approveWhere(store, (p) => p.includes('/CX600/'));
    } finally {
      await store.close();
    }
    // One untimed run of each, so that every timed run finds the files in the page cache.
    for (const c of COMMANDS) await timeProcess(process.execPath, [CLI, ...c.args(dataDir)]);

    const node: number[] = [];
    const ours = COMMANDS.map(() => [] as number[]);
    for (let run = 1; run <= RUNS; run++) {
      node.push((await timeProcess(process.execPath, ['-e', '0'])).seconds);
      for (const [i, c] of COMMANDS.entries()) ours[i]!.push((await timeProcess(process.execPath, [CLI, ...c.args(dataDir)])).seconds);
    }
    const ms = (s: number) => `${Math.round(s * 1000)} ms`;
    const nodeMedian = median(node);
    console.log(`  node -e 0: median ${ms(nodeMedian)} (runs: ${node.map(ms).join(', ')})`);
    for (const [i, c] of COMMANDS.entries()) console.log(`  ucupdates ${c.name}: median ${ms(median(ours[i]!))} (runs: ${ours[i]!.map(ms).join(', ')})`);
    report(
      COMMANDS.map((c, i) => {
        const m = median(ours[i]!);
        return ratioRow('cli-start', `ucupdates ${c.name}, ms vs target`, m * 1000, c.targetMs, 'ms', { op: '<=', value: 1 }, `node -e 0 takes ${ms(nodeMedian)}: ucupdates ${c.name} adds ${ms(m - nodeMedian)} to it`);
      }),
    );
  } finally {
    removeTempDir(tmp);
  }
}

runMain(main, 180_000, 'bench/cli-start');
