import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeLogQuota, judgeLogUpload, type LogUpload } from '../../src/server/domain/device-log.js';

const RULES = { types: ['Watson', 'Config', 'Diaglog', 'CELog'], extensions: ['.clg', '.kdmp', '.xml'], maxBytes: 1_024_000 };
const upload = (u: Partial<LogUpload>): LogUpload => ({ type: 'CELog', fileName: 'ce.clg', macRaw: '00-21-63-0F-20-7B', serial: '', ...u });

test('device log: accepted, with the type as the setting spells it and the phone as the owner folder', () => {
  assert.deepEqual(judgeLogUpload(upload({ type: 'celog' }), 100, RULES), { ok: true, type: 'CELog', fileName: 'ce.clg', mac: '0021630F207B', serial: '', owner: '0021630F207B' });
  assert.deepEqual(judgeLogUpload(upload({ macRaw: '', serial: 'c185h-0012 09', type: 'Config', fileName: 'RTConfig.XML' }), 1, RULES), {
    ok: true,
    type: 'Config',
    fileName: 'RTConfig.XML',
    mac: '',
    serial: 'C185H-001209',
    owner: 'serial-C185H-001209',
  });
});

test('device log: a name from the phone never picks a folder, and keeps a safe alphabet', () => {
  for (const [name, kept] of [
    ['../../etc/evil.clg', 'evil.clg'],
    ['C:\\Windows\\dump.kdmp', 'dump.kdmp'],
    ['..clg', 'clg'],
    ['my log (1).clg', 'my_log__1_.clg'],
    ['x'.repeat(300) + '.clg', 'x'.repeat(96) + '.clg'],
  ] as const) {
    const v = judgeLogUpload(upload({ fileName: name }), 10, RULES);
    if (kept === 'clg') {
      assert.equal(v.ok, false, name);
      continue;
    }
    assert.ok(v.ok, name);
    assert.equal(v.fileName, kept);
  }
});

const refusals: [string, Partial<LogUpload>, number, number, RegExp][] = [
  ['unknown type', { type: 'Kernel' }, 10, 400, /log type "Kernel" is not accepted \(Watson, Config, Diaglog, CELog\)/],
  ['extension not accepted', { fileName: 'run.exe' }, 10, 415, /does not have an accepted extension/],
  ['no extension', { fileName: 'log' }, 10, 415, /accepted extension/],
  ['no name', { fileName: '' }, 10, 415, /accepted extension/],
  ['empty', {}, 0, 400, /empty/],
  ['too large', {}, 1_024_001, 413, /larger than 1024000 bytes/],
  ['no identity', { macRaw: 'zz', serial: '' }, 10, 400, /no MAC address or serial number/],
];
for (const [name, u, size, status, reason] of refusals) {
  test(`device log refused: ${name}`, () => {
    const v = judgeLogUpload(upload(u), size, RULES);
    assert.equal(v.ok, false);
    if (!v.ok) {
      assert.equal(v.status, status);
      assert.match(v.reason, reason);
    }
  });
}

test("device log quotas: what fits exactly is taken; past the phone's or all phones' quota is refused with 413, saying which", () => {
  const q = { perPhoneBytes: 1000, totalBytes: 5000 };
  assert.equal(judgeLogQuota(400, 600, 4600, q), undefined);
  const phone = judgeLogQuota(401, 600, 1000, q);
  assert.equal(phone?.status, 413);
  assert.match(phone?.reason ?? '', /^this phone's logs would exceed their quota of 1000 bytes \(deviceLogMaxPerPhoneMB\)/);
  const all = judgeLogQuota(100, 0, 4901, q);
  assert.equal(all?.status, 413);
  assert.match(all?.reason ?? '', /^the phones' logs would exceed their quota of 5000 bytes \(deviceLogMaxTotalMB\)/);
});
