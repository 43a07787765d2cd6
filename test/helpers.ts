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
