import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { locateCabinet } from '../../src/server/infra/cab-locate.js';
import { listArchive } from '../../src/server/infra/seven-zip.js';
import { multiDevicePackage, newerPackage, selfExtracting, SFX_STUB_BYTES } from '../fixtures/cabs.js';

let tmp: string;
let cab: string;
let cabBytes: Buffer;
let n = 0;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ucu-locate-'));
  cab = await multiDevicePackage(join(tmp, 'cab'));
  cabBytes = await readFile(cab);
});
after(() => rm(tmp, { recursive: true, force: true }));

async function scratch(): Promise<string> {
  const dir = join(tmp, `scratch-${n++}`);
  await mkdir(dir);
  return dir;
}

describe('locateCabinet', () => {
  it('takes a plain cab as it is', async () => {
    assert.deepEqual(await locateCabinet(cab, await scratch()), { cabPath: cab, embedded: false });
  });

  for (const [name, paddingBytes] of [
    ['a small self-extracting exe', 64 * 1024],
    ['a cab beyond 7za\'s 8 MiB search window', 9 * 1024 * 1024],
    ['a header across the 1 MiB read boundary', (1 << 20) - SFX_STUB_BYTES - 10],
  ] as const) {
    it(`cuts out exactly the cab from ${name}`, async () => {
      const exe = await selfExtracting(tmp, cab, { paddingBytes, name: `sfx-${n}.exe` });
      const dir = await scratch();
      const r = await locateCabinet(exe, dir);
      assert.equal(r.embedded, true);
      assert.ok(r.cabPath.startsWith(dir));
      assert.ok((await readFile(r.cabPath)).equals(cabBytes));
      assert.equal((await listArchive(r.cabPath)).length, 9);
    });
  }

  it('takes the first valid cab when there are several', async () => {
    const second = await readFile(await newerPackage(join(tmp, 'newer')));
    const exe = join(tmp, 'two.exe');
    await writeFile(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(1000), cabBytes, second]));
    assert.ok((await readFile((await locateCabinet(exe, await scratch())).cabPath)).equals(cabBytes));
  });

  it('skips a cab header whose size runs past the end of the file', async () => {
    const exe = join(tmp, 'cut.exe');
    await writeFile(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100), cabBytes.subarray(0, cabBytes.length - 1)]));
    await assert.rejects(locateCabinet(exe, await scratch()), /self-extracting package \(\.exe\) holds no cabinet/);
  });

  it('skips headers with the wrong version or reserved field', async () => {
    const bad = Buffer.from(cabBytes);
    bad.writeUInt8(4, 24); // versionMinor
    const bad2 = Buffer.from(cabBytes);
    bad2.writeUInt32LE(1, 4); // reserved1
    const exe = join(tmp, 'badver.exe');
    await writeFile(exe, Buffer.concat([Buffer.from('MZ'), bad, bad2, cabBytes]));
    const r = await locateCabinet(exe, await scratch());
    assert.ok((await readFile(r.cabPath)).equals(cabBytes));
  });

  it('refuses an exe without a cab', async () => {
    const exe = join(tmp, 'nocab.exe');
    await writeFile(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(5000), Buffer.from('MSCF'), Buffer.alloc(10)]));
    await assert.rejects(locateCabinet(exe, await scratch()), /holds no cabinet/);
  });

  for (const [name, content] of [
    ['a text file', 'hello, this is not a package'],
    ['an empty file', ''],
    ['a zip file', 'PK\x03\x04rest'],
  ] as const) {
    it(`refuses ${name}`, async () => {
      const f = join(tmp, `other-${n++}.bin`);
      await writeFile(f, content);
      await assert.rejects(locateCabinet(f, await scratch()), /not a cabinet \(\.cab\) or self-extracting package \(\.exe\)/);
    });
  }
});
