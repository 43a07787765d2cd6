import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileStore, hashAndSync, hashFile } from '../../src/server/infra/file-store.js';
import { fixtureBytes } from '../fixtures/cabs.js';

let tmp: string;
let staging: string;
let n = 0;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const OLD = new Date('2010-01-01T00:00:00Z');

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ucu-store-'));
  staging = join(tmp, 'staging');
  await mkdir(staging);
});
after(() => rm(tmp, { recursive: true, force: true }));

async function staged(content: Buffer): Promise<string> {
  const p = join(staging, `f${n++}`);
  await writeFile(p, content);
  await utimes(p, OLD, OLD);
  return p;
}

describe('hashAndSync', () => {
  it('hashes every file, by path, while flushing them', async () => {
    const contents = [fixtureBytes('a', 300_000), Buffer.alloc(0), fixtureBytes('c', 70_000)];
    const paths = await Promise.all(contents.map(staged));
    const hashed = await hashAndSync(paths);
    assert.deepEqual(paths.map((p) => hashed.get(p)), contents.map((c) => ({ sha256: sha(c), size: c.length })));
  });
});

describe('hashFile', () => {
  it('hashes in streaming fashion across chunk boundaries', async () => {
    const content = fixtureBytes('big', 5 * 256 * 1024 + 17); // past several reads of the 256 KB buffer
    assert.deepEqual(await hashFile(await staged(content)), { sha256: sha(content), size: content.length });
  });

  it('hashes an empty file', async () => {
    assert.deepEqual(await hashFile(await staged(Buffer.alloc(0))), { sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', size: 0 });
  });

  it('rejects a missing file', async () => {
    await assert.rejects(hashFile(join(tmp, 'missing')), { code: 'ENOENT' });
  });
});

describe('FileStore', () => {
  it('moves a file in under its hash, with a fresh mtime', async () => {
    const store = new FileStore(join(tmp, 'blobs1'));
    const content = fixtureBytes('a', 5000);
    const src = await staged(content);
    const started = Date.now();
    const r = await store.put(src);
    assert.deepEqual(r, { sha256: sha(content), size: 5000 });
    assert.equal(store.pathOf(r.sha256), join(tmp, 'blobs1', r.sha256.slice(0, 2), r.sha256));
    assert.ok(existsSync(store.pathOf(r.sha256)));
    assert.ok((await readFile(store.pathOf(r.sha256))).equals(content));
    await assert.rejects(stat(src), { code: 'ENOENT' });
    assert.ok((await stat(store.pathOf(r.sha256))).mtimeMs >= started - 1000);
  });

  it('keeps one blob for identical content and drops the second source', async () => {
    const store = new FileStore(join(tmp, 'blobs2'));
    const content = fixtureBytes('same', 3000);
    const first = await store.put(await staged(content));
    const src = await staged(content);
    assert.deepEqual(await store.put(src), first);
    await assert.rejects(stat(src), { code: 'ENOENT' });
    assert.deepEqual(await readdir(join(tmp, 'blobs2', first.sha256.slice(0, 2))), [first.sha256]);
  });

  it('stores under the hash the caller computed while writing the file (an unpacked cab), without hashing again', async () => {
    const store = new FileStore(join(tmp, 'blobs3'));
    const content = fixtureBytes('known', 4000);
    const hashed = { sha256: sha(content), size: content.length };
    assert.deepEqual(await store.put(await staged(content), hashed), hashed);
    assert.ok((await readFile(store.pathOf(hashed.sha256))).equals(content));
  });

  it('refuses names that are not SHA-256 hashes', () => {
    const store = new FileStore(join(tmp, 'blobs3'));
    assert.throws(() => store.pathOf('../../etc/passwd'), /Not a SHA-256/);
    assert.throws(() => store.pathOf('A'.repeat(64)), /Not a SHA-256/);
    assert.equal(existsSync(store.pathOf('0'.repeat(64))), false);
  });

  it('collects only unreferenced blobs older than the minimum age', async () => {
    const root = join(tmp, 'blobs4');
    const store = new FileStore(root);
    const kept = await store.put(await staged(fixtureBytes('kept', 100)));
    const orphan = await store.put(await staged(fixtureBytes('orphan', 100)));
    const young = await store.put(await staged(fixtureBytes('young', 100)));
    for (const s of [kept, orphan]) await utimes(store.pathOf(s.sha256), OLD, OLD);
    const stray = join(root, 'ab', 'not-a-blob');
    await mkdir(join(root, 'ab'), { recursive: true });
    await writeFile(stray, 'x');
    await utimes(stray, OLD, OLD);

    assert.equal(await store.collectGarbage(new Set([kept.sha256]), 3600_000), 1);
    assert.ok(existsSync(store.pathOf(kept.sha256)));
    assert.ok(!existsSync(store.pathOf(orphan.sha256)));
    assert.ok(existsSync(store.pathOf(young.sha256)));
    await stat(stray);
    assert.equal(await store.collectGarbage(new Set(), 0), 2);
  });

  it('collects nothing from a store that does not exist yet', async () => {
    assert.equal(await new FileStore(join(tmp, 'never')).collectGarbage(new Set(), 0), 0);
  });
});
