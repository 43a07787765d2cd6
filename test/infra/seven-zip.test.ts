import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePackageLayout } from '../../src/server/domain/package-layout.js';
import { extractArchive, listArchive, parseListing, parseModified, progressReader, sevenZipBinary } from '../../src/server/infra/seven-zip.js';
import {
  buildCab,
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

/** An error whose message (what is shown) is a sentence, with 7-Zip's own words only in its detail. */
const said = (message: RegExp, detail: RegExp) => (e: Error & { detail?: string }) => {
  assert.match(e.message, message);
  assert.doesNotMatch(e.message, /7-Zip said/);
  assert.match(e.detail ?? '', detail);
  return true;
};

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

  it('refuses a truncated cab in a sentence; 7-Zip\'s words kept as its detail', async () => {
    await assert.rejects(listArchive(await truncatedCab(join(tmp, 'tl'))), said(/truncated.*download the package again/, /Unexpected end of archive/));
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
    await assert.rejects(extractArchive(await truncatedCab(join(tmp, 'xt')), join(tmp, 'x-trunc')), said(/truncated/, /Unexpected end of archive/));
  });

  it('fails on a corrupt cab, although it lists fine', async () => {
    const cab = await corruptCab(join(tmp, 'xc'));
    assert.equal((await listArchive(cab)).length, 9);
    await assert.rejects(extractArchive(cab, join(tmp, 'x-corrupt')), said(/corrupt/, /Data Error/));
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

/** Runs fn with USE_SYSTEM_7ZA set to choice (undefined: unset), and restores it. */
async function with7zaChoice<T>(choice: string | undefined, fn: () => T | Promise<T>): Promise<T> {
  const saved = process.env.USE_SYSTEM_7ZA;
  const set = (v: string | undefined) => (v === undefined ? delete process.env.USE_SYSTEM_7ZA : (process.env.USE_SYSTEM_7ZA = v));
  set(choice);
  try {
    return await fn();
  } finally {
    set(saved);
  }
}

/** Runs fn once with each 7za this machine has: the system's (when present) and the bundled one. */
async function withEach7za(fn: (bin: string) => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  for (const choice of [undefined, 'false']) {
    await with7zaChoice(choice, async () => {
      const bin = sevenZipBinary().path;
      if (seen.includes(bin)) return;
      seen.push(bin);
      await fn(bin);
    });
  }
  return seen;
}

describe('sevenZipBinary', () => {
  it('prefers the system\'s 7za; USE_SYSTEM_7ZA=true takes the one on PATH, =false the bundled one', async () => {
    assert.equal(await with7zaChoice('true', () => sevenZipBinary().path), '7za');
    const bundled = await with7zaChoice('false', () => sevenZipBinary().path);
    assert.match(bundled, /7zip-bin[/\\].*7za(\.exe)?$/);
    const system = process.platform === 'win32' ? bundled : await stat('/usr/bin/7za').then(() => '/usr/bin/7za', () => bundled);
    assert.equal(await with7zaChoice(undefined, () => sevenZipBinary().path), system);
  });
});

// node-7z split 7za's output into lines per chunk and reported an entry twice when a chunk ended at a newline: this
// cab was refused 4 times in 5 as holding duplicates.
describe('a listing that cannot lie', () => {
  const COUNT = 20_003;
  let many: string;
  before(async () => {
    const files = Array.from({ length: COUNT }, (_, i) => ({ path: `d${Math.floor(i / 500)}/f${i}.txt`, content: `${i}` }));
    many = await buildCab(join(tmp, 'many'), 'many.cab', files, { compress: false });
  });

  it(`lists a ${COUNT}-file cab as exactly ${COUNT} distinct entries, 5 times in a row, with each 7za`, async () => {
    const used = await withEach7za(async (bin) => {
      for (let run = 1; run <= 5; run++) {
        const entries = await listArchive(many);
        assert.equal(entries.length, COUNT, `${bin}, run ${run}`);
        assert.equal(new Set(entries.map((e) => e.path)).size, COUNT, `${bin}, run ${run}`);
        assert.equal(entries.find((e) => e.path === 'd40/f20002.txt')?.size, 5, `${bin}, run ${run}`);
      }
    });
    assert.ok(used.length >= 1);
  });

  it('reads the same entries with each 7za', async () => {
    const listings: string[] = [];
    await withEach7za(async () => {
      const entries = await listArchive(multi);
      listings.push(JSON.stringify(entries.sort((a, b) => (a.path < b.path ? -1 : 1))));
    });
    for (const l of listings) assert.equal(l, listings[0]);
  });

  it('refuses a name whose line breaks would invent entries (p7zip 16.02 prints them raw)', async () => {
    const crafted = `Path = a\nSize = 1\nModified = 2012-10-05 14:22:36\n\nPath = ../evil.txt`;
    const listing = (name: string, size: number) => `Path = x.cab\nType = Cab\n\n----------\nPath = ${name}\nSize = ${size}\nAttributes = A\n\nWarnings: 1\n`;
    assert.equal(parseListing(listing('ok.txt', 3)).length, 1);
    // The real Size lands in the last invented block, so hiding it takes a second Size line there: refused.
    assert.throws(() => parseListing(listing(`${crafted}\nSize = 1`, 5_000_000_000)), /cannot be read unambiguously/);
    // A block that does not start with its Path, or has no Size, is refused too.
    assert.throws(() => parseListing(listing('a\n\nAttributes = A', 7)), /cannot be read unambiguously/);
    assert.throws(() => parseListing(listing('a\nAttributes = A\n\nPath = b', 7)), /cannot be read unambiguously/);
    assert.throws(() => parseListing('no entries here'), /no list of entries/);
  });

  it('with a real cab whose name holds line breaks, each 7za either refuses the listing or shows one entry', async () => {
    const name = 'n1\n\nPath = evil.txt\nSize = 5';
    const cab = await buildCab(join(tmp, 'nl'), 'nl.cab', [{ path: name, content: 'x' }, { path: 'ok.txt', content: 'ok' }]);
    await withEach7za(async (bin) => {
      const entries = await listArchive(cab).catch((e: Error) => e);
      if (entries instanceof Error) assert.match(entries.message, /cannot be read unambiguously/, bin);
      else assert.deepEqual(entries.map((e) => e.path).sort(), ['n1__Path = evil.txt_Size = 5', 'ok.txt'], bin);
    });
  });
});

describe('progressReader', () => {
  // As 7-Zip 26 writes it: percentages between backspaces, file names on lines of their own.
  const output = '\nExtracting archive: a.cab\n  0% 3 Open\b\b\b\b\b\b\b\b\b\b\b           \b\b\b\b\b\b\b\b\b\b\b--\nPath = a.cab\n\n  0%\b\b\b\b    \b\b\b\b- big/f1.bin\n 18% 1\b\b\b\b\b\b      \b\b\b\b\b\b- big/f2.bin\n 55% 2\b\b\b\b\b\bEverything is Ok\n';

  it('finds every percentage wherever the output is cut into chunks', () => {
    for (let cut = 0; cut <= output.length; cut++) {
      for (const step of [1, 7, output.length]) {
        const seen: number[] = [];
        const read = progressReader((p) => seen.push(p));
        const chunks = [output.slice(0, cut), ...Array.from({ length: Math.ceil((output.length - cut) / step) }, (_, i) => output.slice(cut + i * step, cut + (i + 1) * step))];
        for (const c of chunks) read(c);
        assert.deepEqual(seen, [0, 0, 18, 55], `cut at ${cut}, step ${step}`);
      }
    }
  });

  it('reports while a real extraction runs, with each 7za', async () => {
    const cab = await multiDevicePackage(join(tmp, 'progress'), { nbtSize: 3 * 1024 * 1024 });
    let run = 0;
    await withEach7za(async (bin) => {
      const seen: number[] = [];
      await extractArchive(cab, join(tmp, `x-progress-${++run}`), (p) => seen.push(p));
      assert.ok(seen.length > 0, bin);
      assert.ok(seen.every((p) => p >= 0 && p <= 100), `${bin}: ${seen.join(',')}`);
    });
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
