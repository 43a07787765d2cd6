// Firmware downloads from the in-memory cache answer exactly as from the blob file (send's Range, conditional
// requests, HEAD, 416), hold only verified images within downloadCacheMB, and never buffer more than a slice per
// slow client. Real blob files, a real node:http server on loopback, the handler's headers as phone-handler sets them.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { httpRequest } from '../../src/cli/phone-simulator.js';
import { createFirmwareDownloads, SLICE_BYTES, type FirmwareDownloads } from '../../src/server/http/firmware-download.js';
import { eventually, tempDir } from '../helpers.js';

const tmp = await tempDir('ucu-firmware-download-');
after(() => tmp.remove());

interface Blob {
  path: string;
  sha256: string;
  size: number;
  bytes: Buffer;
}

async function blob(name: string, size: number, corruptAfterHashing = false): Promise<Blob> {
  const bytes = randomBytes(size);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (corruptAfterHashing) bytes[size >> 1] = bytes[size >> 1]! ^ 0xff;
  const path = join(tmp.dir, name);
  await writeFile(path, bytes);
  return { path, sha256, size, bytes };
}

interface Served {
  url: string;
  downloads: FirmwareDownloads;
  errors: string[];
  responses: ServerResponse[];
  server: Server;
}

/** A server answering /<name> with that blob as phone-handler does, the download cache bounded by cacheMB. */
async function serve(blobs: Record<string, Blob>, cacheMB: number): Promise<Served> {
  const errors: string[] = [];
  const log = pino({ level: 'warn' }, new Writable({ write: (c, _e, cb) => (errors.push(JSON.parse(String(c)).msg as string), cb()) }));
  const downloads = createFirmwareDownloads(log);
  const responses: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const b = blobs[req.url!.slice(1)]!;
    responses.push(res);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('ETag', `"${b.sha256}"`);
    downloads
      .send(req, res, b.path, b, cacheMB)
      .on('error', (err: Error & { status?: number }) => {
        res.writeHead(err.status === 416 ? 416 : 500, { 'Content-Length': 0 });
        res.end();
      })
      .pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, downloads, errors, responses, server };
}

const stop = (s: Served) =>
  new Promise<void>((resolve) => {
    s.server.closeAllConnections();
    s.server.close(() => resolve());
  });

let image: Blob;
before(async () => {
  image = await blob('image.nbt', 3 * SLICE_BYTES + 12_345);
});

test('from memory, every answer is the one the blob file gives: ranges, conditional requests, HEAD, 416', async () => {
  const disk = await serve({ image }, 0);
  const memory = await serve({ image }, 64);
  try {
    assert.equal((await httpRequest(`${memory.url}/image`)).status, 200);
    await eventually(() => assert.equal(memory.downloads.cached.count, 1, 'the image is held after its first download'));
    const etag = `"${image.sha256}"`;
    const lastModified = (await httpRequest(`${disk.url}/image`, { method: 'HEAD' })).headers['last-modified']!;
    const cases: { name: string; method?: string; headers?: Record<string, string> }[] = [
      { name: 'whole' },
      { name: 'HEAD', method: 'HEAD' },
      { name: 'one range', headers: { Range: 'bytes=100-199' } },
      { name: 'a range across slices', headers: { Range: `bytes=${SLICE_BYTES - 10}-${2 * SLICE_BYTES + 10}` } },
      { name: 'open range', headers: { Range: `bytes=${image.size - 5}-` } },
      { name: 'suffix range', headers: { Range: 'bytes=-10' } },
      { name: 'range past the end, clipped', headers: { Range: `bytes=${image.size - 3}-${image.size + 100}` } },
      { name: 'overlapping ranges combined', headers: { Range: 'bytes=0-99,50-149' } },
      { name: 'two ranges: the whole image', headers: { Range: 'bytes=0-0,500-599' } },
      { name: 'unsatisfiable', headers: { Range: `bytes=${image.size}-` } },
      { name: 'not a byte range', headers: { Range: 'lines=1-2' } },
      { name: 'If-None-Match', headers: { 'If-None-Match': etag } },
      { name: 'If-None-Match, another', headers: { 'If-None-Match': '"other"' } },
      { name: 'If-Match, another', headers: { 'If-Match': '"other"' } },
      { name: 'If-Match and a range', headers: { 'If-Match': etag, Range: 'bytes=10-19' } },
      { name: 'If-Range, current', headers: { 'If-Range': etag, Range: 'bytes=10-19' } },
      { name: 'If-Range, stale', headers: { 'If-Range': '"other"', Range: 'bytes=10-19' } },
      { name: 'If-Modified-Since', headers: { 'If-Modified-Since': lastModified } },
      { name: 'If-Unmodified-Since, earlier', headers: { 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' } },
    ];
    const answer = async (base: string, c: (typeof cases)[number]) => {
      const r = await httpRequest(`${base}/image`, { method: c.method, headers: c.headers });
      const h = r.headers;
      return { status: r.status, headers: [h['content-length'], h['content-range'], h['accept-ranges'], h['last-modified'], h['etag'], h['content-type']], body: r.body };
    };
    for (const c of cases) {
      const fromDisk = await answer(disk.url, c);
      const fromMemory = await answer(memory.url, c);
      assert.deepEqual(fromMemory, fromDisk, c.name);
    }
    const whole = await httpRequest(`${memory.url}/image`);
    assert.ok(whole.body.equals(image.bytes));
    const part = await httpRequest(`${memory.url}/image`, { headers: { Range: `bytes=${SLICE_BYTES - 10}-${2 * SLICE_BYTES + 10}` } });
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(image.bytes.subarray(SLICE_BYTES - 10, 2 * SLICE_BYTES + 11)));
    assert.deepEqual(memory.errors, []);
  } finally {
    await stop(disk);
    await stop(memory);
  }
});

test('the cache holds images within downloadCacheMB, oldest out first; a larger image is always read from disk', async () => {
  const small = [await blob('a.nbt', 400_000), await blob('b.nbt', 400_000), await blob('c.nbt', 400_000)];
  const s = await serve({ image, a: small[0]!, b: small[1]!, c: small[2]! }, 1);
  try {
    for (let i = 0; i < 2; i++) assert.ok((await httpRequest(`${s.url}/image`)).body.equals(image.bytes));
    assert.equal(s.downloads.cached.count, 0, 'an image over the bound is never loaded');
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      assert.ok((await httpRequest(`${s.url}/${name}`)).body.equals(small[i]!.bytes));
      await eventually(() => assert.equal(s.downloads.cached.count, Math.min(i + 1, 2)));
      assert.ok(s.downloads.cached.bytes <= 1024 * 1024);
    }
    assert.equal(s.downloads.cached.bytes, 800_000, 'b and c: a went first');
    for (const [i, name] of ['a', 'b', 'c'].entries()) assert.ok((await httpRequest(`${s.url}/${name}`)).body.equals(small[i]!.bytes));
  } finally {
    await stop(s);
  }
});

test('a blob that does not match its SHA-256 is never cached: it is served from disk as before, and logged', async () => {
  const bad = await blob('bad.nbt', 300_000, true);
  const s = await serve({ bad }, 64);
  try {
    assert.ok((await httpRequest(`${s.url}/bad`)).body.equals(bad.bytes));
    await eventually(() => assert.deepEqual(s.errors, ['firmware blob does not match its SHA-256 or size: served from disk, not cached']));
    assert.ok((await httpRequest(`${s.url}/bad`)).body.equals(bad.bytes));
    assert.equal(s.downloads.cached.count, 0);
  } finally {
    await stop(s);
  }
});

for (const cacheMB of [64, 0]) {
  const from = cacheMB ? 'the cached image' : 'the blob file';
  test(`a client that stops reading holds about a slice of ${from} in the server, not the image`, async () => {
    const big = await blob(`big-${cacheMB}.nbt`, 24 * 1024 * 1024);
    const s = await serve({ big }, cacheMB);
    try {
      await httpRequest(`${s.url}/big`);
      if (cacheMB) await eventually(() => assert.equal(s.downloads.cached.count, 1));
      const client = connect(Number(new URL(s.url).port), '127.0.0.1', () => client.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n'));
      client.pause(); // never reads: the kernel's buffers fill, then the server must wait
      const res = await eventually(() => s.responses[1] ?? assert.fail('no request yet'));
      let last = -1;
      await eventually(() => {
        const written = res.socket!.bytesWritten;
        const stalled = written === last && res.writableNeedDrain;
        last = written;
        assert.ok(stalled, 'the server is waiting for the client');
      }, 30_000);
      assert.ok(res.socket!.writableLength <= SLICE_BYTES, `pending ${res.socket!.writableLength} bytes`);
      assert.ok(res.socket!.bytesWritten < big.size, 'far less than the image went out');
      client.destroy();
    } finally {
      await stop(s);
    }
  });
}
