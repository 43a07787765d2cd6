// Runs `ucupdates` as a child process on the current source (through tsx, whatever dist/ holds): for the CLI tests
// and the README's first session.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = pathToFileURL(join(ROOT, 'src', 'cli', 'main.ts')).href;
// tsx by its location: commands may run in another folder (the README's session runs where its packages are).
const TSX = import.meta.resolve('tsx');
// Always the current source: bin/ucupdates.js would prefer a stale dist/ build when one exists.
const BOOT = `import(${JSON.stringify(MAIN)}).then(async (m) => { process.exitCode = await m.runCli(process.argv.slice(1)); })`;

/** The command line that runs `ucupdates <args>`: node and its arguments. */
export const cliCommand = (args: string[]): [string, string[]] => [process.execPath, ['--import', TSX, '-e', BOOT, '--', ...args]];

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: { data?: string; input?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const [node, argv] = cliCommand([...(opts.data ? ['--data', opts.data] : []), ...args]);
  return runProcess(node, argv, opts);
}

/** Runs a command to its end with `input` on its stdin; what it printed. */
export function runProcess(node: string, argv: string[], opts: { input?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, argv, { cwd: opts.cwd ?? ROOT, env: { ...process.env, UCUPDATES_DATA: '', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // A hung command must not hang the run (a shared machine can be slow: this is no timed assertion).
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}
