// The CLI as admins run it: the compiled `ucupdates` (bin/ucupdates.js runs dist/cli/index.js when it exists), timed
// as a whole process from spawn to exit, beside any other command timed the same way.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.js';

export const CLI = join(ROOT, 'bin', 'ucupdates.js');
const COMPILED = join(ROOT, 'dist', 'cli', 'index.js');

/** Builds dist/ (tsc -p tsconfig.build.json) when it is missing or older than any source it is built from. */
export function ensureCompiledCli(): void {
  const built = existsSync(COMPILED) ? statSync(COMPILED).mtimeMs : 0;
  const newest = Math.max(...['server', 'shared', 'cli', 'main'].map((d) => newestMtime(join(ROOT, 'src', d))));
  if (built >= newest) {
    console.log('  compiled CLI: dist/ is up to date with src/');
    return;
  }
  console.log(`  compiled CLI: dist/ is ${built ? 'older than src/' : 'missing'}: building it (npx tsc -p tsconfig.build.json)...`);
  const t0 = performance.now();
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npx tsc -p tsconfig.build.json failed (${r.signal ?? `exit code ${r.status}`}).`);
  console.log(`  compiled CLI: built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs a program to its end; seconds from spawn to exit. A non-zero exit fails, with what it said on stderr. */
export function timeProcess(file: string, args: string[], opts: { env?: Record<string, string>; ms?: number } = {}): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const p = spawn(file, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.ms ?? 120_000);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      clearTimeout(timer);
      if (code === 0) resolve({ seconds, stdout: out });
      else reject(new Error(`${file} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}): ${err.trim().slice(0, 500)}`));
    });
  });
}
