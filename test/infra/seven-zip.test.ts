import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePackageLayout } from '../../src/server/domain/package-layout.js';
import { extractArchive, listArchive, parseModified } from '../../src/server/infra/seven-zip.js';
import {
  corruptCab,
  fileContent,
  FIXTURE_TIME_FIELDS,
  interimPackage,
  missingCatalogPackage,
  multiDeviceFiles,
  multiDevicePackage,
  threePartVersionPackage,
  traversalCab,
  truncatedCab,
} from '../fixtures/cabs.js';

const LIMITS = { maxFiles: 1000, maxTotalBytes: 1e9, maxFileBytes: 1e8 };
let tmp: string;
let multi: string;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ucu-7z-'));
  multi = await multiDevicePackage(join(tmp, 'multi'));
});
after(() => rm(tmp, { recursive: true, force: true }));

const localFields = (d: Date) => ({
  year: d.getFullYear(),
  month: d.getMonth() + 1,
  day: d.getDate(),
  hours: d.getHours(),
  minutes: d.getMinutes(),
  seconds: d.getSeconds(),
});

describe('listArchive', () => {
  it('lists paths, sizes and the stored times of a real cab', async () => {
    const entries = await listArchive(multi);
    const expected = multiDeviceFiles().map((f) => ({ path: f.path, size: fileContent(f).length, isDir: false }));
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
    assert.deepEqual(entries.map(({ path, size, isDir }) => ({ path, size, isDir })).sort(byPath), expected.sort(byPath));
    for (const e of entries) assert.deepEqual(localFields(e.modified!), FIXTURE_TIME_FIELDS, e.path);
  });

  it('handles file names that look like switches or hold spaces (no shell, "--")', async () => {
    const odd = join(tmp, '-odd name $(x).cab');
    await copyFile(multi, odd);
    assert.equal((await listArchive(odd)).length, 9);
  });

  it('refuses a truncated cab, with 7-Zip\'s words', async () => {
    await assert.rejects(listArchive(await truncatedCab(join(tmp, 'tl'))), /truncated.*Unexpected end of archive/);
  });

  it('refuses a file that is no archive', async () => {
    const junk = join(tmp, 'junk.cab');
    await writeFile(junk, 'this is not a cabinet at all');
    await assert.rejects(listArchive(junk), /not an archive 7-Zip can read/);
  });

  it('refuses a missing file', async () => {
    await assert.rejects(listArchive(join(tmp, 'nope.cab')), /could not be found/);
  });

  it('reports a traversal entry raw, and the layout refuses it', async () => {
    const entries = await listArchive(await traversalCab(join(tmp, 'trav')));
    assert.ok(entries.some((e) => e.path === '../../evil.txt'), JSON.stringify(entries.map((e) => e.path)));
    const r = parsePackageLayout(entries, LIMITS);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.errors.join('\n'), /"..\/..\/evil.txt": ".." would point outside the package/);
  });
});

describe('real packages through parsePackageLayout', () => {
  it('multi-device package', async () => {
    const r = parsePackageLayout(await listArchive(multi), LIMITS);
    assert.ok(r.ok);
    assert.equal(r.layout.updateInfoPath, 'updateInfo.xml');
    assert.deepEqual(r.layout.images.map((i) => `${i.key.model}/${i.key.locale}@${i.version}`).sort(), [
      'CX600/ENU@4.0.7577.4366',
      'CX700/DEU@3.5.6907.0',
      'CX700/ENU@3.5.6907.0',
      'IP8540/ENU@3.5.6907.0',
    ]);
  });

  it('interim package', async () => {
    const r = parsePackageLayout(await listArchive(await interimPackage(join(tmp, 'interim'))), LIMITS);
    assert.ok(r.ok);
    assert.deepEqual(r.layout.interim.map((i) => [i.locale, i.files.map((f) => f.fileName).sort()]), [['ENU', ['CPE.cat', 'CPE.nbt']]]);
  });

  it('missing catalog and three-part version', async () => {
    const missing = parsePackageLayout(await listArchive(await missingCatalogPackage(join(tmp, 'mc'))), LIMITS);
    assert.match(missing.ok ? '' : missing.errors.join('\n'), /CX600\/A\/ENU\/4.0.7577.4366\/CPE\/CPE.nbt" has no security catalog/);
    const three = parsePackageLayout(await listArchive(await threePartVersionPackage(join(tmp, 'tp'))), LIMITS);
    assert.match(three.ok ? '' : three.errors.join('\n'), /"4.0.7577" is not a four-part version/);
  });
});

describe('extractArchive', () => {
  it('extracts every file with its content and the cab\'s time', async () => {
    const dest = join(tmp, 'x-multi');
    await extractArchive(multi, dest);
    const listed = new Map((await listArchive(multi)).map((e) => [e.path, e.modified!]));
    for (const f of multiDeviceFiles()) {
      const abs = join(dest, ...f.path.split('/'));
      assert.deepEqual(await readFile(abs), fileContent(f), f.path);
      // 7-Zip 26 converts cab times with today's UTC offset, so across a DST change the mtime is an hour off.
      const drift = Math.abs((await stat(abs)).mtime.getTime() - listed.get(f.path)!.getTime());
      assert.ok(drift <= 3600_000, `${f.path}: mtime ${drift} ms from the listed time`);
    }
  });

  // The measurement behind importing with `x` alone: it fails on damage without a prior `t`.
  it('fails on a truncated cab', async () => {
    await assert.rejects(extractArchive(await truncatedCab(join(tmp, 'xt')), join(tmp, 'x-trunc')), /truncated.*Unexpected end of archive/);
  });

  it('fails on a corrupt cab, although it lists fine', async () => {
    const cab = await corruptCab(join(tmp, 'xc'));
    assert.equal((await listArchive(cab)).length, 9);
    await assert.rejects(extractArchive(cab, join(tmp, 'x-corrupt')), /corrupt.*Data Error/);
  });

  it('keeps a traversal entry inside the destination', async () => {
    const base = join(tmp, 'trav-x');
    const dest = join(base, 'a', 'b', 'out');
    await mkdir(dest, { recursive: true });
    await extractArchive(await traversalCab(join(tmp, 'trav2')), dest).catch(() => undefined);
    for (const outside of [join(base, 'a', 'evil.txt'), join(base, 'evil.txt'), join(base, 'a', 'b', 'evil.txt')]) {
      await assert.rejects(stat(outside), { code: 'ENOENT' }, outside);
    }
  });
});

describe('parseModified', () => {
  it('reads 7-Zip times as local time, with or without a fraction', () => {
    assert.deepEqual(localFields(parseModified('2009-03-31 11:25:12')!), { year: 2009, month: 3, day: 31, hours: 11, minutes: 25, seconds: 12 });
    assert.equal(parseModified('2009-03-31 11:25:12.1234567')!.getTime(), parseModified('2009-03-31 11:25:12')!.getTime());
    assert.equal(parseModified(''), undefined);
    assert.equal(parseModified(undefined), undefined);
  });
});
