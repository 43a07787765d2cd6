// Finds the cabinet in an upload: a plain UCUpdates.cab, or the one inside a self-extracting UCUpdates.exe.
// 7za finds an embedded cab by itself only within about the first 8 MiB, so we cut it out ourselves.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const SIGNATURE = Buffer.from('MSCF', 'latin1');
const HEADER_BYTES = 36;
const CHUNK_BYTES = 1 << 20;

/** The CFHEADER checks that tell a real cabinet from the bytes "MSCF" occurring by chance in program code. */
function cabinetSizeAt(header: Buffer, offset: number, fileSize: number): number | undefined {
  const reserved1 = header.readUInt32LE(4);
  const cbCabinet = header.readUInt32LE(8);
  const coffFiles = header.readUInt32LE(16);
  const versionMinor = header.readUInt8(24);
  const versionMajor = header.readUInt8(25);
  const cFolders = header.readUInt16LE(26);
  const cFiles = header.readUInt16LE(28);
  const ok =
    reserved1 === 0 &&
    versionMajor === 1 &&
    versionMinor === 3 &&
    cbCabinet > HEADER_BYTES &&
    offset + cbCabinet <= fileSize &&
    coffFiles >= HEADER_BYTES &&
    coffFiles < cbCabinet &&
    cFolders > 0 &&
    cFiles > 0;
  return ok ? cbCabinet : undefined;
}

export async function locateCabinet(file: string, scratchDir: string): Promise<{ cabPath: string; embedded: boolean }> {
  const fh = await open(file, 'r');
  let found: { offset: number; size: number } | undefined;
  try {
    const fileSize = (await fh.stat()).size;
    const magic = Buffer.alloc(4);
    await fh.read(magic, 0, 4, 0);
    if (magic.equals(SIGNATURE)) return { cabPath: file, embedded: false };
    if (magic.subarray(0, 2).toString('latin1') !== 'MZ') {
      throw new Error('This file is not a cabinet (.cab) or self-extracting package (.exe).');
    }
    found = await scan(fh, fileSize);
  } finally {
    await fh.close();
  }
  if (!found) throw new Error('This self-extracting package (.exe) holds no cabinet (.cab): it is not a device update package.');
  const cabPath = join(scratchDir, 'embedded.cab');
  await pipeline(createReadStream(file, { start: found.offset, end: found.offset + found.size - 1 }), createWriteStream(cabPath));
  return { cabPath, embedded: true };
}

/** The first valid CFHEADER, reading chunk by chunk; chunks overlap so that a header across a boundary is seen. */
async function scan(fh: FileHandle, fileSize: number): Promise<{ offset: number; size: number } | undefined> {
  const buf = Buffer.alloc(CHUNK_BYTES + HEADER_BYTES);
  for (let pos = 0; pos < fileSize; pos += CHUNK_BYTES) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    const view = buf.subarray(0, bytesRead);
    for (let i = view.indexOf(SIGNATURE); i !== -1 && i < CHUNK_BYTES; i = view.indexOf(SIGNATURE, i + 1)) {
      if (i + HEADER_BYTES > view.length) break;
      const size = cabinetSizeAt(view.subarray(i, i + HEADER_BYTES), pos + i, fileSize);
      if (size !== undefined) return { offset: pos + i, size };
    }
  }
  return undefined;
}
