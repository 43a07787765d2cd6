// Content-addressed blob store: root/<sha256[0..2]>/<sha256>. Identical files from several packages are stored once.
// Blobs arrive by rename from a staging folder on the same file system, so a blob is either complete or absent.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../app/store-contract.js';

const SHA256_RE = /^[0-9a-f]{64}$/;

/** Streams the file through SHA-256 (hex, lower case). */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(createReadStream(path), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      size += chunk.length;
      hash.update(chunk);
    }
  });
  return { sha256: hash.digest('hex'), size };
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FileStore implements BlobStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256_RE.test(sha256)) throw new Error(`Not a SHA-256 hash: "${sha256}".`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** The blob's file: always local here. */
  async local(sha256: string): Promise<string> {
    return this.pathOf(sha256);
  }

  /** Moves srcPath into the store (or drops it when the store already has that content). */
  async put(srcPath: string): Promise<{ sha256: string; size: number }> {
    const result = await hashFile(srcPath);
    const dest = this.pathOf(result.sha256);
    if (existsSync(dest)) {
      await rm(srcPath, { force: true });
      // A fresh mtime keeps an existing blob that a running import is about to reference safe from collectGarbage.
      const now = new Date();
      await utimes(dest, now, now);
      return result;
    }
    const dir = join(this.root, result.sha256.slice(0, 2));
    const created = await mkdir(dir, { recursive: true });
    // Data reaches the disk before the name does; then the directory entry itself is made durable.
    await fsyncPath(srcPath);
    const now = new Date();
    await utimes(srcPath, now, now);
    await rename(srcPath, dest);
    await fsyncPath(dir);
    if (created) await fsyncPath(this.root);
    return result;
  }

  /** Removes blobs not in `referenced` whose mtime is older than minAgeMs (younger ones may belong to a running import). */
  async collectGarbage(referenced: ReadonlySet<string>, minAgeMs: number): Promise<number> {
    const cutoff = Date.now() - minAgeMs;
    let removed = 0;
    for (const prefix of await readdir(this.root).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await readdir(join(this.root, prefix)).catch(() => [] as string[])) {
        if (!SHA256_RE.test(name) || referenced.has(name)) continue;
        const path = join(this.root, prefix, name);
        const s = await stat(path).catch(() => undefined);
        if (!s?.isFile() || s.mtimeMs >= cutoff) continue;
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
