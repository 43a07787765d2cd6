// A full disk under the data folder: an upload, an unpacking and the check before it each say "disk full" plainly and
// leave staging empty. The data folder sits on a small tmpfs of its own, so this needs root (skipped otherwise).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_PHONE, simulateCheck } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import type { RunningServer } from '../../src/server/compose.js';
import { FREE_SPACE_MARGIN } from '../../src/server/domain/unpack-room.js';
import type { ImportPhase } from '../../src/shared/admin-api.js';
import { buildCab, fixtureBytes, image, updateInfoXml } from '../fixtures/cabs.js';
import { startTestServer, tempDir } from '../helpers.js';

const MB = 1024 * 1024;
const tmp = await tempDir('ucu-diskfull-');
const disk = join(tmp.dir, 'disk');
mkdirSync(disk);
/** Room for the margin, the package and the database; tmpfs takes memory only for what is written. */
const mounted = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FREE_SPACE_MARGIN / MB + 40}m`, 'tmpfs', disk], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let server: RunningServer;
let cab: string;
const filler = join(disk, 'filler');

/** Fills the disk until `leave` bytes are free. */
function fillLeaving(leave: number): void {
  const s = statfsSync(disk);
  let todo = s.bavail * s.bsize - leave;
  const chunk = Buffer.alloc(8 * MB);
  const fd = openSync(filler, 'a');
  try {
    for (; todo > 0; todo -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, todo));
  } finally {
    closeSync(fd);
  }
}

const unfill = () => rmSync(filler, { force: true });

after(async () => {
  await server?.close();
  if (mounted) execFileSync('umount', [disk]);
  await tmp.remove();
});

async function stagingIsEmpty(): Promise<void> {
  assert.deepEqual(await readdir(server.store.paths.stagingDir), []);
}

describe('a full disk', { skip: mounted ? false : 'mounting a small tmpfs needs root' }, () => {
  before(async () => {
    server = await startTestServer(join(disk, 'data'));
    const [nbt, cat] = image('UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE');
    cab = await buildCab(join(tmp.dir, 'cabs'), 'UCUpdates.cab', [updateInfoXml('4.0.7577.4366'), { ...nbt!, content: Buffer.alloc(8 * MB) }, cat!]);
  });

  it('refuses an upload it has no room for: 413 "Disk full", nothing left in staging', async () => {
    fillLeaving(2 * MB);
    try {
      const r = await fetch(`${server.urls.admin}/api/packages?name=big.cab`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.local.launchToken}` },
        body: fixtureBytes('upload', 6 * MB),
      });
      assert.equal(r.status, 413);
      assert.match(((await r.json()) as { error: { message: string } }).error.message, /^Disk full: .*no room left for the upload/);
      await stagingIsEmpty();
    } finally {
      unfill();
    }
  });

  it('refuses a package that would leave less than the margin free, before extracting it', async () => {
    fillLeaving(100 * MB);
    const phases: ImportPhase[] = [];
    try {
      await assert.rejects(
        importPackage(server.store, cab, { fileName: 'UCUpdates.cab', actor: 'test', kind: 'package', onProgress: (p) => phases.push(p) }),
        { code: 'too_large', message: /^Disk full: this package unpacks to 8\.0 MB, but the data folder's disk has \d+\.\d MB free and 256\.0 MB must stay free/ },
      );
      assert.deepEqual([...new Set(phases)], ['locating']);
      await stagingIsEmpty();
    } finally {
      unfill();
    }
  });

  it('turns running out of room while unpacking into "disk full", removing staging', async () => {
    let filled = false;
    try {
      await assert.rejects(
        importPackage(server.store, cab, {
          fileName: 'UCUpdates.cab',
          actor: 'test',
          kind: 'package',
          // Something else takes the room once the check before extraction has passed.
          onProgress: (p) => {
            if (p !== 'extracting' || filled) return;
            filled = true;
            fillLeaving(MB);
          },
        }),
        { code: 'too_large', message: /^Disk full: the data folder's disk ran out of room while the package was being unpacked/ },
      );
      assert.ok(filled);
      await stagingIsEmpty();
      assert.deepEqual(await server.store.packages.list(), []);
    } finally {
      unfill();
    }
  });

  it('leaves the service answering phones, and importing once there is room', async () => {
    assert.equal((await simulateCheck(server.urls.http, DEFAULT_PHONE)).status, 200);
    const r = await importPackage(server.store, cab, { fileName: 'UCUpdates.cab', actor: 'test', kind: 'package' });
    assert.equal(r.images.length, 1);
  });
});
