// Start-up clean-up after a crash: an import that died before its transaction left only a staging folder and blobs
// that no package references. The store itself was never changed (see import-package.ts).
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Store } from './store.js';

/** Unreferenced blobs younger than this may belong to an import still running in another process (the CLI). */
export const ORPHAN_AGE_MS = 3600_000;

/** Removes what a crashed import left: staging folders of dead processes and blobs no package references. */
export async function recoverAfterCrash(store: Store, log: Logger, orphanAgeMs = ORPHAN_AGE_MS): Promise<void> {
  for (const name of await readdir(store.paths.stagingDir).catch(() => [] as string[])) {
    const pid = Number(/^(?:upload-)?(\d+)-/.exec(name)?.[1]);
    if (pid === process.pid || (pid && isAlive(pid))) continue;
    await rm(join(store.paths.stagingDir, name), { recursive: true, force: true });
    log.info({ name }, 'removed the staging folder of an interrupted import');
  }
  const removed = await store.blobs.collectGarbage(await store.packages.referencedBlobs(), orphanAgeMs);
  if (removed > 0) log.info({ removed }, 'removed files of interrupted imports from the store');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
