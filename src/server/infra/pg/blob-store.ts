// The pool's image blobs: content-addressed by SHA-256 in PostgreSQL (blobs, blob_chunks of 1 MiB), and a verified
// local cache in each node's data folder (a FileStore over <dataDir>/files) that phones are served from.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { BlobStore } from '../../app/store-contract.js';
import { FileStore } from '../file-store.js';
import { inTransaction } from './connection.js';

export const CHUNK_BYTES = 1024 * 1024;

export class PgBlobStore implements BlobStore {
  readonly cache: FileStore;
  /** Fetches in flight, so that a second request for the same blob waits for the same fetch. */
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(private readonly pool: pg.Pool, dataDir: string) {
    this.cache = new FileStore(join(dataDir, 'files'));
  }

  pathOf(sha256: string): string {
    return this.cache.pathOf(sha256);
  }

  /** Moves srcPath into the local cache, then into the pool unless the pool has it already. */
  async put(srcPath: string, hashed?: { sha256: string; size: number }): Promise<{ sha256: string; size: number }> {
    const blob = await this.cache.put(srcPath, hashed); // hashes at most once; the upload reads the cached file
    // A fresh created_at keeps a blob that this import is about to reference safe from another node's collectGarbage.
    const known = await this.pool.query('UPDATE blobs SET created_at = now() WHERE sha256 = $1', [blob.sha256]);
    if (known.rowCount) return blob;
    await this.upload(blob.sha256, blob.size);
    return blob;
  }

  /** The blob's row and all its chunks in one transaction: other nodes see the whole blob or none of it. */
  private async upload(sha256: string, size: number): Promise<void> {
    await inTransaction(this.pool, (client) => uploadBlob(client, this.pathOf(sha256), sha256, size));
  }

  /** The blob's cached file; fetched from the pool (and verified) first when this node lacks it. */
  async local(sha256: string): Promise<string> {
    const path = this.pathOf(sha256);
    if (existsSync(path)) return path;
    let pending = this.fetching.get(sha256);
    if (!pending) {
      pending = this.fetch(sha256).finally(() => this.fetching.delete(sha256));
      this.fetching.set(sha256, pending);
    }
    return pending;
  }

  /** Copies the blob chunk by chunk into a temporary file of the cache, checks its size and SHA-256, then moves it in. */
  private async fetch(sha256: string): Promise<string> {
    const row = (await this.pool.query<{ size: number }>('SELECT size FROM blobs WHERE sha256 = $1', [sha256])).rows[0];
    if (!row) throw new Error(`The pool has no image file with SHA-256 ${sha256}; import its package again.`);
    const dir = join(this.cache.root, sha256.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${sha256}.${randomBytes(6).toString('hex')}.part`); // no blob name: the cache's GC skips it
    const hash = createHash('sha256');
    let size = 0;
    try {
      const out = await open(temp, 'wx');
      try {
        for (let seq = 0; ; seq++) {
          // base64: pg reads bytea as hex text, twice the bytes; this halves the time of a fetch (measured).
          const row64 = (await this.pool.query<{ data: string }>(
            `SELECT encode(data, 'base64') AS data FROM blob_chunks WHERE sha256 = $1 AND seq = $2`,
            [sha256, seq],
          )).rows[0];
          if (!row64) break;
          const chunk = Buffer.from(row64.data, 'base64'); // the line breaks encode() adds are skipped
          hash.update(chunk);
          size += chunk.length;
          if (size > row.size) break;
          await out.write(chunk);
        }
      } finally {
        await out.close();
      }
      if (size !== row.size || hash.digest('hex') !== sha256) {
        throw new Error(`The pool's copy of image file ${sha256} is damaged (its size or SHA-256 does not match); import its package again.`);
      }
      // FileStore.put syncs the file and its folder before and after the rename; what it hashes is what reached the disk.
      const placed = await this.cache.put(temp);
      if (placed.sha256 !== sha256) throw new Error(`Image file ${sha256} changed on this server's disk while it was cached.`);
      return this.pathOf(sha256);
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Removes blobs not in `referenced` older than minAgeMs from the pool (by the pool's clock) and from the cache. */
  async collectGarbage(referenced: ReadonlySet<string>, minAgeMs: number): Promise<number> {
    const removed = await this.pool.query(
      `DELETE FROM blobs WHERE created_at < now() - make_interval(secs => $1::double precision / 1000) AND NOT (sha256 = ANY($2::text[]))`,
      [minAgeMs, [...referenced]],
    );
    await this.cache.collectGarbage(referenced, minAgeMs);
    return removed.rowCount ?? 0;
  }
}

/** A file whose content no longer matches its name (SHA-256) or size. */
export class DamagedImage extends Error {
  constructor(readonly sha256: string) {
    super(`The image file ${sha256} is damaged (its content no longer matches its name)`);
  }
}

/**
 * Writes the file at `path` as the blob `sha256` (row and chunks) on `client`, inside the caller's transaction; does
 * nothing when the pool has it already. What was written is checked against the name and size before the caller can
 * commit (DamagedImage): a damaged source file never becomes a blob.
 */
export async function uploadBlob(client: pg.PoolClient, path: string, sha256: string, size: number): Promise<void> {
  // Another node uploading the same content at once: this insert waits for its commit, then does nothing.
  const added = await client.query('INSERT INTO blobs (sha256, size) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sha256, size]);
  if (!added.rowCount) return;
  const file = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let offset = 0;
    for (let seq = 0; ; seq++) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, offset);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      await client.query('INSERT INTO blob_chunks (sha256, seq, data) VALUES ($1, $2, $3)', [sha256, seq, chunk]);
      offset += bytesRead;
    }
    if (offset !== size || hash.digest('hex') !== sha256) throw new DamagedImage(sha256);
  } finally {
    await file.close();
  }
}
