// A request body streamed into a new file in the staging folder (never held in memory), within a size limit.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { AppError } from '../app/app-error.js';

/**
 * Writes the body to `<stagingDir>/upload-<pid>-...` (crash recovery removes those of dead processes) and returns
 * its path; the caller removes it. Refuses an empty body, and more than `limit` bytes with `tooLarge` (413, closing
 * the connection: the rest of the body is not read), and a body the disk has no room for (413, "Disk full").
 */
export async function receiveUpload(req: Request, res: Response, stagingDir: string, limit: number, tooLarge: string): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new AppError('too_large', tooLarge);
  const upload = join(stagingDir, `upload-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  let size = 0;
  try {
    await pipeline(
      req,
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          if (size > limit) cb(new AppError('too_large', tooLarge));
          else cb(null, chunk);
        },
      }),
      createWriteStream(upload),
    );
  } catch (e) {
    await rm(upload, { force: true });
    const full = (e as NodeJS.ErrnoException).code === 'ENOSPC';
    if (full || e instanceof AppError) res.setHeader('Connection', 'close');
    if (full) throw new AppError('too_large', "Disk full: the data folder's disk has no room left for the upload.");
    throw e instanceof AppError ? e : new AppError('invalid_input', 'The upload was interrupted.');
  }
  if (size === 0) {
    await rm(upload, { force: true });
    throw new AppError('invalid_input', 'The uploaded file is empty.');
  }
  return upload;
}
