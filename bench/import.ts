// Importing a package as the admin runs it: `ucupdates --data <fresh folder> import UCUpdates.cab` (the compiled CLI,
// a whole process: start, store, one 7za pass, hashing, fsync, commit) of a compressed cab of several images (~105 MB
// unpacked), against the shell pipeline that does the irreducible work, `7za x && sha256sum <every file> && sync`, with
// the same 7za binary our code runs (the system's when present, else 7zip-bin's). Alternating, 5 runs each, medians.
// Then importPackage inside this process, to show where the time goes (its phases); not part of the ratio.
//   node --import tsx bench/import.ts
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { importPackage } from '../src/server/app/import-package.js';
import { Store } from '../src/server/app/store.js';
import { sevenZipBinary } from '../src/server/infra/seven-zip.js';
import type { ImportPhase } from '../src/shared/admin-api.js';
import { buildCab, image, updateInfoXml } from '../test/fixtures/cabs.js';
import { CLI, ensureCompiledCli, timeProcess } from './lib/cli-process.js';
import { fmt, heading, median, ratioRow, removeTempDir, report, runMain, tempDir } from './lib/harness.js';

const RUNS = 5;
const PHASE_RUNS = 3;
const IMAGES = [
  'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE',
  'UCPhone/Polycom/CX700/A/ENU/4.0.7577.4366/CPE',
  'UCPhone/LG-Nortel/IP8540/A/ENU/4.0.7577.4366/CPE',
  'UCPhone/Aastra/6725ip/A/ENU/4.0.7577.4366/CPE',
  'UCPhone/HP/4120/A/ENU/4.0.7577.4366/CPE',
];
const NBT_SIZE = 20 * 1024 * 1024;

async function main(): Promise<void> {
  const tmp = tempDir('import');
  try {
    heading('import: setup');
    const t0 = performance.now();
    const files = [updateInfoXml('4.0.7577.4366'), ...IMAGES.flatMap((f) => image(f, { nbtSize: NBT_SIZE }))];
    const cab = await buildCab(join(tmp, 'cabs'), 'UCUpdates.cab', files);
    const unpacked = IMAGES.length * (NBT_SIZE + 1200);
    console.log(
      `  ${IMAGES.length} images, ${fmt(unpacked / 1e6)} MB unpacked, cab ${fmt(statSync(cab).size / 1e6)} MB (MSZIP), built with gcab in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const bin = sevenZipBinary().path;
    console.log(`  7za: ${bin} (${sevenZipBinary().origin})`);
    readFileSync(cab); // into the page cache, so the first timed run does not pay for reading it from the disk

    ensureCompiledCli();

    const ours: number[] = [];
    const baseline: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // Alternate which goes first, so that neither always follows the other's leftovers.
      const order = run % 2 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
      for (const which of order) {
        await sh('sync');
        if (which === 'ours') {
          const s = await cliImport(cab, join(tmp, `ours-${run}`));
          ours.push(s);
          console.log(`  run ${run}  ours      ${s.toFixed(2)} s   (ucupdates import, whole process)`);
        } else {
          const s = await baselineImport(bin, cab, join(tmp, `baseline-${run}`));
          baseline.push(s);
          console.log(`  run ${run}  baseline  ${s.toFixed(2)} s   (7za x && sha256sum && sync)`);
        }
      }
    }

    heading('import: where the time goes (importPackage in this process, not part of the ratio)');
    const phases: Record<string, number>[] = [];
    for (let run = 1; run <= PHASE_RUNS; run++) {
      await sh('sync');
      const r = await ourImport(cab, join(tmp, `phases-${run}`));
      phases.push(r.phases);
      console.log(`  run ${run}  ${r.seconds.toFixed(2)} s   (${Object.entries(r.phases).map(([p, s]) => `${p} ${s.toFixed(2)}`).join(', ')})`);
    }
    const oursMedian = median(ours);
    const baseMedian = median(baseline);
    const phaseMedians = Object.keys(phases[0] ?? {}).map((p) => `${p} ${median(phases.map((x) => x[p] ?? 0)).toFixed(2)} s`);
    console.log(`\n  medians: ours ${oursMedian.toFixed(2)} s, baseline ${baseMedian.toFixed(2)} s; importPackage's phases: ${phaseMedians.join(', ')}`);
    report([
      ratioRow('import', `~${Math.round(unpacked / 1e6)} MB cab, ucupdates import (whole process)`, oursMedian, baseMedian, 's', { op: '<=', value: 1.2 }, `importPackage's phases in process (medians): ${phaseMedians.join(', ')}`),
    ]);
  } finally {
    removeTempDir(tmp);
  }
}

/** The compiled CLI importing into a fresh data folder, as a whole process; its summary must list every image. */
async function cliImport(cab: string, dataDir: string): Promise<number> {
  try {
    const r = await timeProcess(process.execPath, [CLI, '--data', dataDir, 'import', '--json', cab]);
    const summary = JSON.parse(r.stdout) as { alreadyImported: boolean; images: unknown[] };
    if (summary.alreadyImported || summary.images.length !== IMAGES.length) throw new Error(`unexpected import result: ${r.stdout}`);
    return r.seconds;
  } finally {
    removeTempDir(dataDir);
  }
}

/** importPackage into a fresh store; the time of each phase it reports through onProgress. */
async function ourImport(cab: string, dataDir: string): Promise<{ seconds: number; phases: Record<string, number> }> {
  const store = new Store(dataDir);
  const phases: Record<string, number> = {};
  let phase: ImportPhase | undefined;
  let phaseStart = 0;
  const started = performance.now();
  try {
    const summary = await importPackage(store, cab, {
      fileName: 'UCUpdates.cab',
      actor: 'bench',
      kind: 'package',
      onProgress: (p) => {
        if (p === phase) return;
        const now = performance.now();
        if (phase) phases[phase] = (now - phaseStart) / 1000;
        phase = p;
        phaseStart = now;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    if (phase) phases[phase] = (performance.now() - phaseStart) / 1000;
    if (summary.alreadyImported || summary.images.length !== IMAGES.length) throw new Error(`unexpected import result: ${JSON.stringify(summary)}`);
    return { seconds, phases };
  } finally {
    await store.close();
    removeTempDir(dataDir);
  }
}

async function baselineImport(bin: string, cab: string, dir: string): Promise<number> {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const started = performance.now();
  await sh(`${q(bin)} x -y -o${q(dir)} ${q(cab)} >/dev/null && find ${q(dir)} -type f -exec sha256sum {} + >/dev/null && sync`);
  const seconds = (performance.now() - started) / 1000;
  removeTempDir(dir);
  return seconds;
}

function sh(script: string, ms = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`sh -c "${script}" failed (${signal ?? `exit code ${code}`}): ${err.trim().slice(0, 500)}`));
    });
  });
}

runMain(main, 300_000, 'bench/import');
