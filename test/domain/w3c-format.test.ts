import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  W3C_FIELDS,
  formatAccessLine,
  plainIp,
  w3cFileName,
  w3cHeader,
  type AccessEntry,
} from '../../src/server/domain/w3c-format.js';

process.env.TZ = 'America/New_York'; // IIS logs UTC: a local-time bug must show

// From /work/shared/seeds/000_d22115a9d5f8b7db.txt.
const SEED_FIELDS =
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken';
const SEED_POST =
  '2009-03-06 17:07:20 10.1.1.90 POST /RequestHandler/ucdevice.upx - 443 - 10.1.1.123 Microsoft+UCPhone+Device 200 0 0 124';
const SEED_GET =
  '2009-03-06 17:12:57 10.1.1.90 GET /DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt - 80 - 10.1.1.123 Microsoft+UCPhone+Device 200 0 0 137810';

function entry(overrides: Partial<AccessEntry> = {}): AccessEntry {
  return {
    at: new Date('2009-03-06T17:07:20.000Z'),
    serverIp: '10.1.1.90',
    method: 'POST',
    uriStem: '/RequestHandler/ucdevice.upx',
    uriQuery: '',
    serverPort: 443,
    username: '',
    clientIp: '10.1.1.123',
    userAgent: 'Microsoft UCPhone Device',
    referer: '',
    status: 200,
    timeTakenMs: 124,
    bytesSent: 734,
    bytesReceived: 512,
    ...overrides,
  };
}

test('reproduces the seed IIS lines', () => {
  assert.equal(formatAccessLine(entry(), 'iis7'), SEED_POST);
  assert.equal(
    formatAccessLine(
      entry({
        at: new Date('2009-03-06T17:12:57.400Z'),
        method: 'GET',
        uriStem: '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt',
        serverPort: 80,
        timeTakenMs: 137810.2,
      }),
      'iis7',
    ),
    SEED_GET,
  );
});

test('the iis7 header is the IIS directives of the seeds with our software name', () => {
  assert.equal(`#Fields: ${W3C_FIELDS.iis7}`, SEED_FIELDS);
  assert.deepEqual(w3cHeader('0.1.0', new Date('2009-03-06T16:00:51.900Z'), 'iis7'), [
    '#Software: ucupdates 0.1.0',
    '#Version: 1.0',
    '#Date: 2009-03-06 16:00:51',
    SEED_FIELDS,
  ]);
});

test('times are UTC whatever the local zone', () => {
  const line = formatAccessLine(entry({ at: new Date('2009-12-31T23:59:59.999Z') }), 'iis85');
  assert.ok(line.startsWith('2009-12-31 23:59:59 '), line);
  assert.equal(w3cFileName(new Date('2009-12-31T23:59:59Z')), 'u_ex091231.log');
  assert.equal(w3cFileName(new Date('2010-01-01T00:00:00Z')), 'u_ex100101.log');
});

test('IPv4-mapped IPv6 addresses are logged as IPv4; real IPv6 is kept', () => {
  assert.equal(formatAccessLine(entry({ clientIp: '::ffff:10.1.1.123', serverIp: '::FFFF:10.1.1.90' }), 'iis7'), SEED_POST);
  assert.equal(plainIp('::ffff:10.1.1.1'), '10.1.1.1');
  assert.equal(plainIp('fe80::1'), 'fe80::1');
  assert.equal(plainIp('::ffff:abcd'), '::ffff:abcd');
});

test('a query string, a user name and other fields are logged; empty ones are "-"', () => {
  const line = formatAccessLine(entry({ uriQuery: 'a=1&b=2', username: 'DEMO\\rui', userAgent: '' }), 'iis7');
  assert.equal(
    line,
    '2009-03-06 17:07:20 10.1.1.90 POST /RequestHandler/ucdevice.upx a=1&b=2 443 DEMO\\rui 10.1.1.123 - 200 0 0 124',
  );
});

test('iis85: IIS 8.5\'s default set as goaccess --log-format=W3C expects it, then sc-bytes and cs-bytes', () => {
  assert.deepEqual(w3cHeader('0.1.0', new Date('2009-03-06T16:00:51Z'), 'iis85'), [
    '#Software: ucupdates 0.1.0',
    '#Version: 1.0',
    '#Date: 2009-03-06 16:00:51',
    '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken sc-bytes cs-bytes',
  ]);
  assert.equal(
    formatAccessLine(entry(), 'iis85'),
    '2009-03-06 17:07:20 10.1.1.90 POST /RequestHandler/ucdevice.upx - 443 - 10.1.1.123 Microsoft+UCPhone+Device - 200 0 0 124 734 512',
  );
  assert.equal(
    formatAccessLine(entry({ referer: 'http://ocs.demo.local/a b', bytesSent: 1048576.4, bytesReceived: 0 }), 'iis85'),
    '2009-03-06 17:07:20 10.1.1.90 POST /RequestHandler/ucdevice.upx - 443 - 10.1.1.123 Microsoft+UCPhone+Device http://ocs.demo.local/a+b 200 0 0 124 1048576 0',
  );
});

test('hostile values cannot add fields or lines: always one value per field', () => {
  const hostile = entry({
    method: 'PO ST',
    uriStem: '/a b\r\n2009-01-01 00:00:00 forged',
    uriQuery: 'x=\ty',
    username: 'eve\u2028mallory',
    userAgent: 'Evil\u00a0Agent\u0000 1.0\n',
    referer: '\r\nx y',
    status: Number.NaN,
    timeTakenMs: -5,
    bytesSent: Number.NaN,
    bytesReceived: Infinity,
  });
  const seven = formatAccessLine(hostile, 'iis7');
  assert.doesNotMatch(seven, /[\r\n\t\u0000\u00a0\u2028]/);
  assert.equal(seven.split(' ').length, W3C_FIELDS.iis7.split(' ').length, seven);
  assert.equal(
    seven,
    '2009-03-06 17:07:20 10.1.1.90 PO+ST /a+b%0D%0A2009-01-01+00:00:00+forged x=%09y 443 eve%E2%80%A8mallory 10.1.1.123 Evil%C2%A0Agent%00+1.0%0A - 0 0 0',
  );
  const eight = formatAccessLine(hostile, 'iis85');
  assert.equal(eight.split(' ').length, W3C_FIELDS.iis85.split(' ').length, eight);
  assert.ok(eight.endsWith(' %0D%0Ax+y - 0 0 0 - -'), eight);
});

test('an invalid date gives "-" fields rather than an exception', () => {
  for (const fields of ['iis7', 'iis85'] as const) {
    const line = formatAccessLine(entry({ at: new Date(Number.NaN) }), fields);
    assert.ok(line.startsWith('- - 10.1.1.90 '), line);
    assert.equal(line.split(' ').length, W3C_FIELDS[fields].split(' ').length);
  }
});
