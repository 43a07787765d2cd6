// A cab bomb: a package of a few kilobytes that declares (and would write) megabytes of zeros. The bound is
// maxUnpackedMB, judged from the listing, so nothing is extracted; the free space of the data folder's disk is the
// second bound (test/domain/unpack-room.test.ts holds its decision).
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_PHONE, simulateCheck } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import type { RunningServer } from '../../src/server/compose.js';
import type { ImportJobDto, ImportPhase } from '../../src/shared/admin-api.js';
import { buildCab, image, updateInfoXml } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';

const UNPACKED = 5 * 1024 * 1024;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
let bomb: string;

before(async () => {
  tmp = await tempDir('ucu-bomb-');
  server = await startTestServer(join(tmp.dir, 'data'));
  const [nbt, cat] = image('UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE');
  bomb = await buildCab(join(tmp.dir, 'cabs'), 'bomb.cab', [updateInfoXml('4.0.7577.4366'), { ...nbt!, content: Buffer.alloc(UNPACKED) }, cat!]);
  await server.store.settings.write({ maxUnpackedMB: 1 });
});
after(async () => {
  await server.close();
  await tmp.remove();
});

async function upload(file: string): Promise<ImportJobDto> {
  const headers = { authorization: `Bearer ${server.local.launchToken}` };
  const started = await fetch(`${server.urls.admin}/api/packages?name=bomb.cab`, { method: 'POST', headers, body: await readFile(file) });
  assert.equal(started.status, 202);
  const { id } = (await started.json()) as ImportJobDto;
  return eventually(async () => {
    const job = (await (await fetch(`${server.urls.admin}/api/imports/${id}`, { headers })).json()) as ImportJobDto;
    assert.ok(job.phase === 'done' || job.phase === 'failed', job.phase);
    return job;
  }, 120_000); // not a time bound: the import's end, however busy the machine
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('a cab bomb', () => {
  it('is small, and declares more than maxUnpackedMB', async () => {
    assert.ok((await stat(bomb)).size < 100 * 1024, `${(await stat(bomb)).size} bytes`);
  });

  it('uploaded through the admin API, is refused with both sizes; nothing is stored, staging is empty', async () => {
    const job = await upload(bomb);
    assert.equal(job.phase, 'failed');
    assert.equal(job.error?.code, 'too_large');
    assert.match(job.error!.message, /unpacks to 5\.0 MB, more than the 1 MB allowed \(setting maxUnpackedMB\)/);
    assert.deepEqual(await server.store.packages.list(), []);
    assert.deepEqual(await filesUnder(server.store.paths.blobDir), []);
    // The job reports its end before it removes the uploaded file.
    await eventually(async () => assert.deepEqual(await readdir(server.store.paths.stagingDir), []));
  });

  it('is refused before extraction begins', async () => {
    const phases: ImportPhase[] = [];
    await assert.rejects(
      importPackage(server.store, bomb, { fileName: 'bomb.cab', actor: 'test', kind: 'package', onProgress: (p) => phases.push(p) }),
      /maxUnpackedMB/,
    );
    assert.deepEqual([...new Set(phases)], ['locating']);
    assert.deepEqual(await readdir(server.store.paths.stagingDir), []);
  });

  it('leaves the service answering phones', async () => {
    const check = await simulateCheck(server.urls.http, DEFAULT_PHONE);
    assert.equal(check.status, 200, check.raw);
  });

  it('imports once the bound allows its size (the bound, not the package, refused it)', async () => {
    await server.store.settings.write({ maxUnpackedMB: 6 });
    const job = await upload(bomb);
    assert.equal(job.phase, 'done', JSON.stringify(job.error));
    assert.equal((await server.store.packages.list()).length, 1);
  });
});
