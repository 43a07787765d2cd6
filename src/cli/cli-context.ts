// What every command needs: the data folder, the store (opened per command), who is acting, and output.
// The store and the HTTP client are loaded when a command uses them (dynamic import), so that a command that needs
// neither (--version, --help, decode) starts without loading the database engines.
import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { ServerStatusDto } from '../shared/admin-api.js';
import type { ErrorBody } from '../shared/errors.js';
import { normaliseMac } from '../shared/mac.js';
import { AppError } from '../server/app/app-error.js';
import type { Store } from '../server/app/store.js';
import { readRunFile, type RunInfo } from '../server/infra/run-file.js';
import { inWords } from '../server/infra/storage-problem.js';
import { cannotReach } from './cannot-reach.js';

export interface CliContext {
  dataDir(): string;
  /** The pool's PostgreSQL URL (--pool, $UCUPDATES_POOL), or undefined for the embedded store. */
  pool(): string | undefined;
  /** Opens the store for one command; the SQLite file is shared safely with a running server. */
  withStore<T>(fn: (store: Store) => T | Promise<T>): Promise<T>;
  /** The history's actor: cli:<user>. */
  actor(): string;
  out(text: string): void;
  json(value: unknown): void;
}

export function cliContext(dataDir: () => string, pool: () => string | undefined = () => undefined): CliContext {
  const out = (text: string): void => void process.stdout.write(`${text}\n`);
  return {
    dataDir,
    pool,
    async withStore(fn) {
      // A data folder that cannot be opened or written is said in words (storage-problem.ts), as serve says it.
      const { openStore } = await import('../server/app/store.js');
      let store: Store;
      try {
        store = await openStore(dataDir(), { pool: pool() });
      } catch (e) {
        throw inWords(e, dataDir());
      }
      try {
        return await fn(store);
      } catch (e) {
        throw inWords(e, dataDir());
      } finally {
        await store.close();
      }
    },
    actor: () => `cli:${userInfo().username}`,
    out,
    json: (value) => out(JSON.stringify(value, null, 2)),
  };
}

export function toPort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new AppError('invalid_input', `"${v}" is not a port number (0-65535).`);
  return n;
}

/** A MAC in any notation normaliseMac reads, kept as typed. */
export function toMac(v: string): string {
  if (!normaliseMac(v)) throw new AppError('invalid_input', `"${v}" is not a MAC address: give 12 hexadecimal digits, e.g. 0021630F207B or 00-21-63-0F-20-7B.`);
  return v;
}

export function toId(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new AppError('invalid_input', `"${v}" is not a positive whole number.`);
  return n;
}

/** The server running with this data folder (its version and URLs), or undefined when none runs. */
export async function runningServer(cx: CliContext): Promise<ServerStatusDto | undefined> {
  const run = await readRunFile(await runFileOf(cx));
  return run && callServer<ServerStatusDto>(run, '/api/status');
}

/** Calls the admin API of the server running on this machine with its launch token (loopback only). */
export async function askServer<T>(cx: CliContext, path: string, method = 'GET'): Promise<T> {
  const run = await readRunFile(await runFileOf(cx));
  if (!run) throw new AppError('not_found', 'No ucupdates server is running with this data folder: start one with `ucupdates serve`.');
  return callServer<T>(run, path, method);
}

async function runFileOf(cx: CliContext): Promise<string> {
  const { storePaths } = await import('../server/app/store.js');
  return storePaths(cx.dataDir()).runFile;
}

async function callServer<T>(run: RunInfo, path: string, method = 'GET'): Promise<T> {
  const { httpRequest } = await import('./phone-simulator.js');
  // The console's certificate may be self-signed (adminTls); the launch token is worthless to any other listener.
  const url = new URL(path, run.adminUrl).toString();
  const r = await httpRequest(url, { method, headers: { Authorization: `Bearer ${run.launchToken}` }, insecure: true }).catch((e: unknown) => {
    throw cannotReach(url, e, `the server running with this data folder (PID ${run.pid}) does not answer on its admin port; restart it (ucupdates serve)`);
  });
  let body: T | ErrorBody;
  try {
    body = JSON.parse(r.body.toString() || 'null') as T | ErrorBody;
  } catch {
    throw new AppError('internal', `${run.adminUrl} answered HTTP ${r.status} with something that is not the admin API: is another program on its port? Restart ucupdates serve.`);
  }
  if (r.status >= 400) {
    const e = (body as ErrorBody | null)?.error;
    throw e ? new AppError(e.code, e.message, e.field) : new AppError('internal', `The server refused: HTTP ${r.status}.`);
  }
  return body as T;
}

/** A file the admin named, checked before a use case reads it: a missing one or a folder is said as such. */
export async function namedFile(path: string): Promise<string> {
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new AppError('not_found', `${path} does not exist: check the path.`);
  if (s.isDirectory()) throw new AppError('invalid_input', `${path} is a folder, not a file: name the file itself.`);
  return path;
}
