// Firmware downloads: `send` decides the answer for a blob file (Range, If-None-Match/If-Match/If-Range and the
// dates, HEAD, 416) as it always did; only the bytes may come from memory. Hot images are kept in a cache bounded by
// downloadCacheMB (oldest out first), each loaded once, checked against its SHA-256 and size before it is used, so a
// cached image is the verified, immutable blob. A download from memory writes slices of the one shared copy with
// back-pressure: a slow client holds one slice in flight, never a copy of the image, and the socket's counters (the
// access log's sc-bytes) still count what went out. An image not (yet) held is read from its file as send reads it
// (64 KiB at a time: 1 MiB reads measured no clearly better on a busy machine and would hold 16 times more per slow
// client when thousands download from disk at once).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import send from 'send';
import { BoundedCache } from '../domain/bounded-cache.js';

/** What one write of a cached image hands the socket; the most a slow client makes us hold beyond the cache. */
export const SLICE_BYTES = 1024 * 1024;
/** Reads while loading an image into the cache: large enough to be cheap, small enough not to hold the event loop. */
const LOAD_STEP = 4 * 1024 * 1024;

export interface DownloadFile {
  sha256: string;
  size: number;
}

export interface FirmwareDownloads {
  /** The answer for `file` (its verified blob at `blobPath`): a SendStream to pipe into `res`, errors as send reports them. */
  send(req: IncomingMessage, res: ServerResponse, blobPath: string, file: DownloadFile, cacheMB: number): send.SendStream;
  /** The images held and their bytes (for tests and diagnostics). */
  readonly cached: { count: number; bytes: number };
}

export function createFirmwareDownloads(log: Logger): FirmwareDownloads {
  let cache = new BoundedCache<Buffer>(Number.MAX_SAFE_INTEGER, 0);
  const loading = new Set<string>();

  const cacheFor = (cacheMB: number) => {
    const max = cacheMB * 1024 * 1024;
    // A changed setting starts an empty cache of the new size (rare; the old copies go with their last download).
    if (cache.maxSize !== max) cache = new BoundedCache<Buffer>(Number.MAX_SAFE_INTEGER, max);
    return cache;
  };

  function load(target: BoundedCache<Buffer>, blobPath: string, file: DownloadFile): void {
    if (loading.has(file.sha256)) return;
    loading.add(file.sha256);
    readVerified(blobPath, file).then(
      (bytes) => {
        if (bytes) target.set(file.sha256, bytes, bytes.length);
        else log.error({ file: blobPath, sha256: file.sha256 }, 'firmware blob does not match its SHA-256 or size: served from disk, not cached');
      },
      (err: unknown) => log.warn({ err, file: blobPath }, 'firmware blob could not be read into the download cache: served from disk'),
    ).finally(() => loading.delete(file.sha256));
  }

  return {
    send(req, res, blobPath, file, cacheMB) {
      const stream = send(req, blobPath, { etag: false, cacheControl: false, dotfiles: 'allow' });
      const target = cacheFor(cacheMB);
      const held = target.get(file.sha256);
      if (held) stream.stream = (_path, opts) => writeSlices(res, held, opts as { start: number; end: number });
      else if (file.size <= target.maxSize) load(target, blobPath, file);
      return stream;
    },
    get cached() {
      return { count: cache.count, bytes: cache.size };
    },
  };
}

/** Bytes start..end (inclusive, as send gives them) of `bytes`, a slice at a time, each after the last has drained. */
function writeSlices(res: ServerResponse, bytes: Buffer, { start, end }: { start: number; end: number }): void {
  const stop = Math.min(end + 1, bytes.length);
  let at = start;
  const next = (): void => {
    while (at < stop) {
      const slice = bytes.subarray(at, Math.min(at + SLICE_BYTES, stop));
      at += slice.length;
      if (at >= stop) return void res.end(slice);
      if (!res.write(slice)) return void res.once('drain', next);
    }
    res.end();
  };
  next();
}

/** The blob's bytes when they are exactly the image (size and SHA-256); undefined when they are not. */
async function readVerified(blobPath: string, file: DownloadFile): Promise<Buffer | undefined> {
  const fh = await open(blobPath, 'r');
  try {
    if ((await fh.stat()).size !== file.size) return undefined;
    const bytes = Buffer.allocUnsafeSlow(file.size);
    const hash = createHash('sha256');
    for (let at = 0; at < file.size; ) {
      const { bytesRead } = await fh.read(bytes, at, Math.min(LOAD_STEP, file.size - at), at);
      if (bytesRead === 0) return undefined;
      hash.update(bytes.subarray(at, at + bytesRead));
      at += bytesRead;
    }
    return hash.digest('hex') === file.sha256 ? bytes : undefined;
  } finally {
    await fh.close();
  }
}
