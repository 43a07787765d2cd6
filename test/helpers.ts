// Shared test set-up: temp folders, a silent logger, a store in a fresh data folder, a server on loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Store } from '../src/server/app/store.js';
import { startServer, type RunningServer, type ServerOptions } from '../src/server/compose.js';

export const silentLog = pino({ level: 'silent' });

export async function tempDir(prefix = 'ucu-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function freshStore(dataDir: string): Store {
  return new Store(dataDir);
}

/** Runs fn on a store in a fresh data folder, closed and removed afterwards. */
export async function withFreshStore(fn: (store: Store) => Promise<void>, prefix = 'ucu-store-'): Promise<void> {
  const t = await tempDir(prefix);
  const store = freshStore(t.dir);
  try {
    await fn(store);
  } finally {
    await store.close();
    await t.remove();
  }
}

/**
 * The whole server on loopback, on ports the system picks, logging nothing (unless opts says otherwise).
 * UCUPDATES_TEST_PHONE_WORKERS=N runs the tests' servers with N phone workers (those with a clock of their own keep none).
 */
export function startTestServer(dataDir: string, opts: Omit<ServerOptions, 'dataDir' | 'overrides'> = {}): Promise<RunningServer> {
  const phoneWorkers = opts.clock ? 0 : Number(process.env.UCUPDATES_TEST_PHONE_WORKERS ?? 0);
  return startServer({ dataDir, overrides: { httpPort: 0, httpsPort: 0, adminPort: 0, adminHost: '127.0.0.1' }, log: silentLog, phoneWorkers, ...opts });
}

/** Retries fn until it stops throwing, up to timeoutMs (for what is written in the background, like the inventory). */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A loopback URL nothing listens on: a connection to it is refused at once, network or not. */
export async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
