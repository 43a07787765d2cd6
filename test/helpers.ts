// Shared test set-up: temp folders, a silent logger, a store in a fresh data folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Store } from '../src/server/app/store.js';

export const silentLog = pino({ level: 'silent' });

export async function tempDir(prefix = 'ucu-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function freshStore(dataDir: string): Store {
  return new Store(dataDir);
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
