import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePackageLayout, parseUpdateInfo, type LayoutEntry, type PackageLayout } from '../../src/server/domain/package-layout.js';

const LIMITS = { maxFiles: 100, maxTotalBytes: 1_000_000, maxFileBytes: 500_000 };
const file = (path: string, size = 1000): LayoutEntry => ({ path, size, isDir: false });
const dir = (path: string): LayoutEntry => ({ path, size: 0, isDir: true });
const image = (folder: string): LayoutEntry[] => [file(`${folder}/CPE.nbt`), file(`${folder}/CPE.cat`, 200)];
const CX700 = 'UCPhone/Polycom/CX700/A/ENU/3.5.6907.0/CPE';

function layoutOf(entries: LayoutEntry[]): PackageLayout {
  const r = parsePackageLayout(entries, LIMITS);
  assert.ok(r.ok, `expected a valid layout, got: ${r.ok ? '' : r.errors.join(' | ')}`);
  return r.layout;
}

function errorsOf(entries: LayoutEntry[], limits = LIMITS): string[] {
  const r = parsePackageLayout(entries, limits);
  assert.ok(!r.ok, 'expected the layout to be refused');
  return r.errors;
}

describe('parsePackageLayout: valid packages', () => {
  it('reads a multi-device package', () => {
    const layout = layoutOf([
      file('updateInfo.xml', 120),
      ...image(CX700),
      ...image('UCPhone/Polycom/CX700/A/DEU/3.5.6907.0/CPE'),
      ...image('UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE'),
      ...image('UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE'),
    ]);
    assert.equal(layout.updateInfoPath, 'updateInfo.xml');
    assert.deepEqual(layout.interim, []);
    assert.deepEqual(layout.extras, []);
    assert.deepEqual(
      layout.images.map((i) => `${Object.values(i.key).join('/')}@${i.version}`),
      [
        'UCPhone/Polycom/CX700/A/ENU/CPE@3.5.6907.0',
        'UCPhone/Polycom/CX700/A/DEU/CPE@3.5.6907.0',
        'UCPhone/LG-Nortel/IP8540/A/ENU/CPE@3.5.6907.0',
        'UCPhone/Polycom/CX600/A/ENU/CPE@4.0.7577.4366',
      ],
    );
    assert.deepEqual(layout.images[0]!.key, { deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX700', revision: 'A', locale: 'ENU', updateType: 'CPE' });
    assert.deepEqual(layout.images[0]!.files, [
      { relPath: `${CX700}/CPE.nbt`, fileName: 'CPE.nbt', size: 1000 },
      { relPath: `${CX700}/CPE.cat`, fileName: 'CPE.cat', size: 200 },
    ]);
  });

  const cases: { name: string; entries: LayoutEntry[]; check: (l: PackageLayout) => void }[] = [
    {
      name: 'normalises zero-padded versions',
      entries: image('UCPhone/Polycom/CX700/A/ENU/1.0.522.073/CPE'),
      check: (l) => assert.equal(l.images[0]!.version, '1.0.522.73'),
    },
    {
      name: 'treats backslashes as separators and reports forward slashes',
      entries: [file('UCPhone\\Polycom\\CX700\\A\\ENU\\3.5.6907.0\\CPE\\CPE.nbt'), file('UCPhone\\Polycom\\CX700\\A\\ENU\\3.5.6907.0\\CPE\\CPE.cat')],
      check: (l) => assert.deepEqual(l.images[0]!.files.map((f) => f.relPath), [`${CX700}/CPE.nbt`, `${CX700}/CPE.cat`]),
    },
    {
      name: 'strips a single wrapper folder but keeps it in relPath',
      entries: [file('UCUpdates/updateInfo.xml'), ...image(`UCUpdates/${CX700}`)],
      check: (l) => {
        assert.equal(l.updateInfoPath, 'UCUpdates/updateInfo.xml');
        assert.equal(l.images[0]!.key.model, 'CX700');
        assert.equal(l.images[0]!.files[0]!.relPath, `UCUpdates/${CX700}/CPE.nbt`);
      },
    },
    {
      name: 'finds updateInfo.xml in any case and at any depth',
      entries: [file('docs/UPDATEINFO.XML'), ...image(CX700)],
      check: (l) => assert.equal(l.updateInfoPath, 'docs/UPDATEINFO.XML'),
    },
    {
      name: 'reads the interim image',
      entries: image('OCInterim/ENU'),
      check: (l) => {
        assert.deepEqual(l.images, []);
        assert.deepEqual(l.interim, [{ locale: 'ENU', files: [{ relPath: 'OCInterim/ENU/CPE.nbt', fileName: 'CPE.nbt', size: 1000 }, { relPath: 'OCInterim/ENU/CPE.cat', fileName: 'CPE.cat', size: 200 }] }]);
      },
    },
    {
      name: 'keeps RTConfig.xml anywhere and root files as extras',
      entries: [...image('RoundTable/Polycom/RoundTable/A/ENU/1.0.0.1/CPE'), file('RoundTable/RTConfig.xml'), file('readme.txt')],
      check: (l) => {
        assert.equal(l.images[0]!.key.deviceType, 'RoundTable');
        assert.deepEqual(l.extras.map((e) => e.relPath), ['RoundTable/RTConfig.xml', 'readme.txt']);
      },
    },
    {
      name: 'keeps the locale as spelled',
      entries: image('UCPhone/Polycom/CX700/A/enu/3.5.6907.0/CPE'),
      check: (l) => assert.equal(l.images[0]!.key.locale, 'enu'),
    },
    {
      name: 'ignores folder entries',
      entries: [dir('UCPhone'), dir(`${CX700}/`), ...image(CX700)],
      check: (l) => assert.equal(l.images.length, 1),
    },
    {
      name: 'puts files of the same folder in one image',
      entries: [...image(CX700), file(`${CX700}/extra.bin`)],
      check: (l) => assert.deepEqual(l.images[0]!.files.map((f) => f.fileName), ['CPE.nbt', 'CPE.cat', 'extra.bin']),
    },
    {
      name: 'does not take a lone top folder for a wrapper when the tree does not start below it',
      entries: [file('extra/readme.txt'), ...image('extra/UCPhone/Polycom/CX700/A/ENU/3.5.6907.0/CPE')],
      check: (l) => assert.equal(l.images[0]!.files[0]!.relPath, 'extra/UCPhone/Polycom/CX700/A/ENU/3.5.6907.0/CPE/CPE.nbt'),
    },
  ];
  for (const c of cases) it(c.name, () => c.check(layoutOf(c.entries)));
});

describe('parsePackageLayout: refused packages', () => {
  const cases: { name: string; entries: LayoutEntry[]; expect: RegExp[]; limits?: typeof LIMITS }[] = [
    { name: 'absolute path', entries: [...image(CX700), file('/etc/passwd')], expect: [/"\/etc\/passwd": absolute paths/] },
    { name: 'absolute path with backslash', entries: [...image(CX700), file('\\evil.txt')], expect: [/"\\evil.txt": absolute paths/] },
    { name: 'drive letter', entries: [...image(CX700), file('C:\\Windows\\evil.dll')], expect: [/"C:\\Windows\\evil.dll": drive letters/] },
    { name: 'dot-dot', entries: [...image(CX700), file('../../evil.txt')], expect: [/"..\/..\/evil.txt": ".." would point outside/] },
    { name: 'dot-dot with backslashes', entries: [...image(CX700), file('UCPhone\\..\\..\\evil.txt')], expect: [/outside the package/] },
    { name: 'control characters', entries: [...image(CX700), file('UCPhone/a\u0001b.txt')], expect: [/"UCPhone\/a\?b.txt": the name contains control characters/] },
    { name: 'empty name', entries: [...image(CX700), file('')], expect: [/has no name/] },
    { name: 'empty folder name', entries: [...image(CX700), file('UCPhone//x.txt')], expect: [/empty or "." folder/] },
    { name: 'three-part version', entries: image('UCPhone/Polycom/CX600/A/ENU/4.0.7577/CPE'), expect: [/"UCPhone\/Polycom\/CX600\/A\/ENU\/4.0.7577\/CPE": the version folder "4.0.7577" is not a four-part version/] },
    { name: 'missing catalog', entries: [...image(CX700), file('UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE/CPE.nbt')], expect: [/"UCPhone\/Polycom\/CX600\/A\/ENU\/4.0.7577.4366\/CPE\/CPE.nbt" has no security catalog "CPE.cat"/] },
    { name: 'catalog in another folder', entries: [file(`${CX700}/CPE.nbt`), file('UCPhone/Polycom/CX700/A/DEU/3.5.6907.0/CPE/CPE.cat')], expect: [/CPE.nbt" has no security catalog/] },
    { name: 'missing interim catalog', entries: [file('OCInterim/ENU/CPE.nbt')], expect: [/"OCInterim\/ENU\/CPE.nbt" has no security catalog/] },
    { name: 'duplicate differing in case', entries: [...image(CX700), file(`${CX700}/cpe.NBT`)], expect: [/"UCPhone\/Polycom\/CX700\/A\/ENU\/3.5.6907.0\/CPE\/CPE.nbt" and ".*cpe.NBT" differ only in letter case/] },
    { name: 'same path twice', entries: [...image(CX700), file(`${CX700}/CPE.nbt`)], expect: [/CPE.nbt" appears more than once/] },
    { name: 'image folder spelled two ways', entries: [file(`${CX700}/CPE.nbt`), file('UCPhone/polycom/CX700/A/ENU/3.5.6907.0/CPE/CPE.cat')], expect: [/the same image spelled two ways/] },
    { name: 'version spelled two ways', entries: [...image(CX700), ...image('UCPhone/Polycom/CX700/A/ENU/3.5.6907.00/CPE')], expect: [/the same image spelled two ways/] },
    { name: 'stray file at the wrong depth', entries: [...image(CX700), file('UCPhone/Polycom/CX700/CPE.nbt'), file('UCPhone/Polycom/CX700/CPE.cat')], expect: [/"UCPhone\/Polycom\/CX700\/CPE.nbt" is not where a package keeps files/, /CX700\/CPE.cat" is not where/] },
    { name: 'image one level too deep', entries: image(`${CX700}/sub`), expect: [/sub\/CPE.nbt" is not where a package keeps files/, /sub\/CPE.cat" is not where/] },
    { name: 'interim at the wrong depth', entries: image('OCInterim/ENU/1.0.522.103'), expect: [/OCInterim\/ENU\/1.0.522.103\/CPE.nbt" is not where/, /CPE.cat" is not where/] },
    { name: 'two-letter locale', entries: image('UCPhone/Polycom/CX700/A/EN/3.5.6907.0/CPE'), expect: [/"UCPhone\/Polycom\/CX700\/A\/EN\/3.5.6907.0\/CPE": the locale folder "EN" is not a three-letter code/] },
    { name: 'bad interim locale', entries: image('OCInterim/English'), expect: [/the locale folder "English"/] },
    { name: 'unknown device type', entries: image('Phone/Polycom/CX700/A/ENU/3.5.6907.0/CPE'), expect: [/"Phone\/Polycom\/CX700\/A\/ENU\/3.5.6907.0\/CPE": the device type folder "Phone" is not UCPhone or RoundTable/] },
    { name: 'two updateInfo.xml', entries: [file('updateInfo.xml'), file('UCPhone/updateinfo.xml'), ...image(CX700)], expect: [/two updateInfo.xml files: "updateInfo.xml" and "UCPhone\/updateinfo.xml"/] },
    { name: 'empty image folder', entries: [...image(CX700), dir('UCPhone/Polycom/CX700/A/DEU/3.5.6907.0/CPE')], expect: [/The image folder "UCPhone\/Polycom\/CX700\/A\/DEU\/3.5.6907.0\/CPE" holds no files/] },
    { name: 'too many files', entries: [...image(CX700), file('a.txt')], limits: { ...LIMITS, maxFiles: 2 }, expect: [/holds 3 files; at most 2/] },
    { name: 'too many bytes', entries: image(CX700), limits: { ...LIMITS, maxTotalBytes: 1100 }, expect: [/unpacks to 0.0 MB; at most 0.0 MB/] },
    { name: 'file too large', entries: image(CX700), limits: { ...LIMITS, maxFileBytes: 999 }, expect: [/CPE.nbt" is 0.0 MB; a single file may be at most/] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const errors = errorsOf(c.entries, c.limits);
      assert.equal(errors.length, c.expect.length, errors.join(' | '));
      c.expect.forEach((re, i) => assert.match(errors[i]!, re));
    });
  }

  it('reports every problem at once', () => {
    const errors = errorsOf([file('/abs'), ...image('UCPhone/Polycom/CX600/A/ENU/4.0.7577/CPE'), file(`${CX700}/CPE.nbt`)]);
    assert.equal(errors.length, 3, errors.join(' | '));
  });

  it('caps a long error list', () => {
    const errors = errorsOf(Array.from({ length: 70 }, (_, i) => file(`/abs${i}`)));
    assert.equal(errors.length, 51);
    assert.equal(errors[50], '... and 20 more problems.');
  });
});

describe('parseUpdateInfo', () => {
  const cases: [string, string, string | undefined][] = [
    ['element', '<?xml version="1.0"?><Updates><Updates><Update><version>4.0.7577.4366</version></Update></Updates></Updates>', '4.0.7577.4366'],
    ['attribute', '<Updates><Updates><Update version="3.5.6907.0" /></Updates></Updates>', '3.5.6907.0'],
    ['any case, whitespace', '<UPDATES><updates><UPDATE><Version>\n 1.0.522.103 \n</Version></UPDATE></updates></UPDATES>', '1.0.522.103'],
    ['first of several updates', '<Updates><Updates><Update><version>1.1.1.1</version></Update><Update><version>2.2.2.2</version></Update></Updates></Updates>', '1.1.1.1'],
    ['namespaces', '<u:Updates xmlns:u="urn:x"><u:Updates><u:Update><u:version>4.0.7577.4387</u:version></u:Update></u:Updates></u:Updates>', '4.0.7577.4387'],
    ['byte order mark', '\uFEFF<Updates><Updates><Update><version>4.0.7577.4387</version></Update></Updates></Updates>', '4.0.7577.4387'],
    ['element with an attribute', '<Updates><Updates><Update><version kind="x">4.0.7577.4387</version></Update></Updates></Updates>', '4.0.7577.4387'],
    ['no version', '<Updates><Updates><Update><name>x</name></Update></Updates></Updates>', undefined],
    ['wrong nesting', '<Updates><Update><version>1.1.1.1</version></Update></Updates>', undefined],
    ['empty version', '<Updates><Updates><Update><version> </version></Update></Updates></Updates>', undefined],
    ['not XML', 'this is not xml <<<', undefined],
    ['empty', '', undefined],
  ];
  for (const [name, xml, expected] of cases) {
    it(name, () => assert.deepEqual(parseUpdateInfo(xml), expected === undefined ? {} : { packageVersion: expected }));
  }

  it('refuses DTDs and entities', () => {
    assert.throws(() => parseUpdateInfo('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Updates><Updates><Update><version>&e;</version></Update></Updates></Updates>'), /DOCTYPE or ENTITY/);
    assert.throws(() => parseUpdateInfo('<!ENTITY e "x"><Updates/>'), /DOCTYPE or ENTITY/);
    assert.throws(() => parseUpdateInfo('<!doctype Updates><Updates/>'), /DOCTYPE or ENTITY/);
  });
});
