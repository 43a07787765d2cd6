// What every command needs: the data folder, the store (opened per command), who is acting, and output.
import { userInfo } from 'node:os';
import { AppError } from '../server/app/app-error.js';
import { Store } from '../server/app/store.js';

export interface CliContext {
  dataDir(): string;
  /** Opens the store for one command; the SQLite file is shared safely with a running server. */
  withStore<T>(fn: (store: Store) => T | Promise<T>): Promise<T>;
  /** The history's actor: cli:<user>. */
  actor(): string;
  out(text: string): void;
  json(value: unknown): void;
}

export function cliContext(dataDir: () => string): CliContext {
  const out = (text: string): void => void process.stdout.write(`${text}\n`);
  return {
    dataDir,
    async withStore(fn) {
      const store = new Store(dataDir());
      try {
        return await fn(store);
      } finally {
        store.close();
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

export function toId(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new AppError('invalid_input', `"${v}" is not a positive whole number.`);
  return n;
}

