import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUDIT_HEADER,
  auditFileName,
  formatAuditLine,
  parseAuditLine,
  type AuditEntry,
} from '../../src/server/domain/audit-format.js';

process.env.TZ = 'UTC'; // the Logging DateTime is server-local time

// From /work/shared/seeds/000_d22115a9d5f8b7db.txt (an OCS 2007 R2 server).
const SEED_HEADER =
  'Logging DateTime,User Name,User Host Address,Device Type,Request DateTime,Mac Address,Serial Number,Vendor,Model,Revision,Locale,Requested<FileName;Version;TimeStamp>[# Seperated for Multiple],Response<FileName;Version;TimeStamp>[# Seperated for Multiple]';
const SEED_NO_OFFER =
  '03-06-2009 17:07:20,ruisilva@demo.local,10.1.1.123,UCPhone,06-03-2009 09:07:20,"0021630F207B","C185H001209","LG-Nortel","IP8540","A","ENU",cpe.nbt;0.0.0.0;01-01-1601 00:00:00,';
const SEED_INTERIM =
  '03-06-2009 17:10:39,ruisilva@demo.local,10.1.1.123,UCPhone,06-03-2009 17:10:39,"0021630F207B","C185H001209","LG-Nortel","IP8540","A","ENU",cpe.nbt;0.0.0.0;01-01-1601 00:00:00,https://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt;1.0.522.103;16-12-2008 04:43:58';
// From 001_0c92dfa67ff8a7be.txt (a German server: anonymous user, dots in dates).
const SEED_GERMAN =
  '05.04.2009 16:30:13,,192.168.102.34,UCPhone,04.05.2009 07:30:04,"001B9E4B5B10","1108015382","LG-Nortel","IP8540","A","ENU",cpe.nbt;0.0.0.0;01.01.1601 00:00:00,http://NAWOCSSTD.netatwork.de/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt;1.0.522.103;05.04.2009 20:09:14';
// From a comment in 000_...: US notation.
const SEED_US =
  '06/30/2009 16:47:51,tanjay@*****.com,192.168.1.67,UCPhone,6/30/2009 4:47:50 PM,"001B9EF3BC18","C184P006102","LG-Nortel","IP8540","A","ENU",cpe.nbt;0.0.0.0;1/1/1601 12:00:00 AM,http://suria-front.e-suria.com.my/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt;1.0.522.103;5/20/2009 2:03:46 AM';

function seedEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    loggedAt: new Date(Date.UTC(2009, 2, 6, 17, 7, 20)),
    userName: 'ruisilva@demo.local',
    hostAddress: '10.1.1.123',
    deviceType: 'UCPhone',
    requestTime: '06-03-2009 09:07:20',
    macRaw: '0021630F207B',
    serial: 'C185H001209',
    vendor: 'LG-Nortel',
    model: 'IP8540',
    revision: 'A',
    locale: 'ENU',
    requested: [{ fileName: 'cpe.nbt', version: '0.0.0.0', timestamp: '01-01-1601 00:00:00' }],
    response: [],
    ...overrides,
  };
}

test('header is the OCS one, byte for byte (sic "Seperated")', () => {
  assert.equal(AUDIT_HEADER, SEED_HEADER);
});

test('reproduces the seed line with nothing offered, trailing comma included', () => {
  assert.equal(formatAuditLine(seedEntry()), SEED_NO_OFFER);
});

test('reproduces the seed line offering the interim image by its full URL', () => {
  const line = formatAuditLine(
    seedEntry({
      loggedAt: new Date(Date.UTC(2009, 2, 6, 17, 10, 39)),
      requestTime: '06-03-2009 17:10:39',
      response: [
        {
          url: 'https://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt',
          version: '1.0.522.103',
          timestamp: '16-12-2008 04:43:58',
        },
      ],
    }),
  );
  assert.equal(line, SEED_INTERIM);
});

test('several modules are joined by #', () => {
  const line = formatAuditLine(
    seedEntry({
      requested: [
        { fileName: 'cpe.nbt', version: '1.0', timestamp: 't1' },
        { fileName: 'cpe.cat', version: '2.0', timestamp: 't2' },
      ],
      response: [
        { url: 'https://h/a.nbt', version: '3', timestamp: 't3' },
        { url: 'https://h/a.cat', version: '3', timestamp: 't4' },
      ],
    }),
  );
  assert.ok(line.endsWith(',cpe.nbt;1.0;t1#cpe.cat;2.0;t2,https://h/a.nbt;3;t3#https://h/a.cat;3;t4'), line);
});

test('an empty request time is replaced by the logging time in the same format', () => {
  const line = formatAuditLine(seedEntry({ requestTime: '' }));
  assert.ok(line.startsWith('03-06-2009 17:07:20,ruisilva@demo.local,10.1.1.123,UCPhone,03-06-2009 17:07:20,'), line);
});

test('Logging DateTime uses local fields, zero-padded', () => {
  const line = formatAuditLine(seedEntry({ loggedAt: new Date(2010, 0, 2, 3, 4, 5) }));
  assert.ok(line.startsWith('01-02-2010 03:04:05,'), line);
});

test('an IPv4-mapped IPv6 client address is logged as plain IPv4', () => {
  const line = formatAuditLine(seedEntry({ hostAddress: '::ffff:10.1.1.123' }));
  assert.equal(line, SEED_NO_OFFER);
});

test('CR/LF and other control characters cannot start a new record', () => {
  const line = formatAuditLine(
    seedEntry({
      userName: 'eve\r\n01-01-2009 00:00:00,forged',
      serial: 'S1\nX',
      model: 'IP\u2028 8540\u0000',
      requested: [{ fileName: 'cpe.nbt\r\n', version: '1.0\t', timestamp: 'x\u0085y' }],
    }),
  );
  assert.doesNotMatch(line, /[\r\n\u2028\u0085\u0000\t]/);
  const r = parseAuditLine(line);
  assert.ok(r.ok);
  assert.equal(r.record.userName, 'eve01-01-2009 00:00:00,forged');
  assert.equal(r.record.serial, 'S1X');
  assert.equal(r.record.model, 'IP 8540');
  assert.deepEqual(r.record.requested, [{ fileName: 'cpe.nbt', version: '1.0', timestamp: 'xy' }]);
});

test('commas and quotes are kept, quoted as RFC 4180 does, in every field; plain values stay unquoted as OCS wrote them', () => {
  const line = formatAuditLine(
    seedEntry({
      userName: 'CONTOSO\\Smith, "Bob"',
      deviceType: 'UC,Phone',
      requestTime: 'Tue, 30 Jun',
      vendor: 'LG "Nortel", Inc',
      requested: [{ fileName: 'x,y#z;w"', version: '1;2', timestamp: '3#4' }],
      response: [{ url: 'https://h/a b,c;d#e"f.nbt', version: '1', timestamp: 't' }],
    }),
  );
  assert.ok(line.startsWith('03-06-2009 17:07:20,"CONTOSO\\Smith, ""Bob""",10.1.1.123,"UC,Phone","Tue, 30 Jun","0021630F207B",'), line);
  assert.match(line, /,"LG ""Nortel"", Inc",/);
  const r = parseAuditLine(line);
  assert.ok(r.ok);
  assert.equal(r.record.userName, 'CONTOSO\\Smith, "Bob"');
  assert.equal(r.record.hostAddress, '10.1.1.123');
  assert.equal(r.record.deviceType, 'UC,Phone');
  assert.equal(r.record.requestTime, 'Tue, 30 Jun');
  assert.equal(r.record.vendor, 'LG "Nortel", Inc');
  // The module lists' own separators, ';' and '#', cannot be told apart inside a part: they alone become '_'.
  assert.deepEqual(r.record.requested, [{ fileName: 'x,y_z_w"', version: '1_2', timestamp: '3_4' }]);
  assert.deepEqual(r.record.response, [
    { fileName: 'https://h/a%20b%2Cc%3Bd%23e%22f.nbt', version: '1', timestamp: 't' },
  ]);
});

test('formula injection is defused with a leading apostrophe in every phone field, and read back as sent', () => {
  const evil = {
    userName: '=HYPERLINK("http://evil","x")',
    deviceType: '+UCPhone',
    requestTime: '@SUM(1)',
    macRaw: '=1+1',
    serial: '-2+3',
    vendor: '@vendor',
    model: '=cmd|" /C calc"!A0',
    revision: '+A',
    locale: "'-ENU",
    requested: [{ fileName: '=cpe.nbt', version: '+1', timestamp: "'@t" }],
  };
  const line = formatAuditLine(seedEntry(evil));
  // Every cell that Excel would run starts with an apostrophe (a value that began with one has two).
  assert.ok(line.startsWith(`03-06-2009 17:07:20,"'=HYPERLINK(""http://evil"",""x"")",10.1.1.123,'+UCPhone,'@SUM(1),"'=1+1","'-2+3","'@vendor","'=cmd|"" /C calc""!A0","'+A","''-ENU",'=cpe.nbt;'+1;''@t,`), line);
  const r = parseAuditLine(line);
  assert.ok(r.ok, line);
  const { record } = r;
  assert.deepEqual(
    [record.userName, record.deviceType, record.requestTime, record.mac, record.serial, record.vendor, record.model, record.revision, record.locale],
    [evil.userName, evil.deviceType, evil.requestTime, evil.macRaw, evil.serial, evil.vendor, evil.model, evil.revision, evil.locale],
  );
  assert.deepEqual(record.requested, evil.requested);
});

test('control characters before a formula do not hide it', () => {
  const line = formatAuditLine(seedEntry({ serial: '\t=1+1' }));
  assert.match(line, /,"'=1\+1",/);
  const r = parseAuditLine(line);
  assert.ok(r.ok);
  assert.equal(r.record.serial, '=1+1');
});

test('lines written before values were quoted still read: "_" stays, the defusing apostrophe comes off', () => {
  // As the writer of the previous version had it: ',' and '"' replaced by '_' in bare fields, formulas defused.
  const old =
    "03-06-2009 17:07:20,CONTOSO\\Smith_ _Bob_,10.1.1.123,'+UCPhone,06-03-2009 09:07:20,\"0021630F207B\",\"'-2+3\",\"LG \"\"Nortel\"\", Inc\",\"IP8540\",\"A\",\"ENU\",'=cpe.nbt;1.0;t,";
  const r = parseAuditLine(old);
  assert.ok(r.ok);
  assert.equal(r.record.userName, 'CONTOSO\\Smith_ _Bob_');
  assert.equal(r.record.deviceType, '+UCPhone');
  assert.equal(r.record.serial, '-2+3');
  assert.equal(r.record.vendor, 'LG "Nortel", Inc');
  assert.deepEqual(r.record.requested, [{ fileName: '=cpe.nbt', version: '1.0', timestamp: 't' }]);
});

test('legitimate values with inner - + @ are left alone', () => {
  const r = parseAuditLine(
    formatAuditLine(seedEntry({ macRaw: '00-21-63-0f-20-7b', vendor: 'LG-Nortel', userName: 'a+b@demo.local' })),
  );
  assert.ok(r.ok);
  assert.equal(r.record.mac, '00-21-63-0f-20-7b');
  assert.equal(r.record.vendor, 'LG-Nortel');
  assert.equal(r.record.userName, 'a+b@demo.local');
});

test('auditFileName is RequestHandlerAuditLog_<server>_<ddMMyyyy>.log from local fields', () => {
  assert.equal(auditFileName('nawocsstd', new Date(2009, 4, 4, 23, 59)), 'RequestHandlerAuditLog_nawocsstd_04052009.log');
  assert.equal(auditFileName('ocs/..\\x y', new Date(2009, 11, 31)), 'RequestHandlerAuditLog_ocs_.._x_y_31122009.log');
  assert.equal(auditFileName('', new Date(2009, 0, 1)), 'RequestHandlerAuditLog_server_01012009.log');
});

test('parses the seed lines of all three date notations into raw strings', () => {
  const offer = parseAuditLine(SEED_INTERIM);
  assert.deepEqual(offer, {
    ok: true,
    record: {
      loggedAt: '03-06-2009 17:10:39',
      userName: 'ruisilva@demo.local',
      hostAddress: '10.1.1.123',
      deviceType: 'UCPhone',
      requestTime: '06-03-2009 17:10:39',
      mac: '0021630F207B',
      serial: 'C185H001209',
      vendor: 'LG-Nortel',
      model: 'IP8540',
      revision: 'A',
      locale: 'ENU',
      requested: [{ fileName: 'cpe.nbt', version: '0.0.0.0', timestamp: '01-01-1601 00:00:00' }],
      response: [
        {
          fileName: 'https://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt',
          version: '1.0.522.103',
          timestamp: '16-12-2008 04:43:58',
        },
      ],
    },
  });

  const german = parseAuditLine(SEED_GERMAN + '\r\n');
  assert.ok(german.ok);
  assert.equal(german.record.loggedAt, '05.04.2009 16:30:13');
  assert.equal(german.record.userName, '');
  assert.deepEqual(german.record.requested, [{ fileName: 'cpe.nbt', version: '0.0.0.0', timestamp: '01.01.1601 00:00:00' }]);

  const us = parseAuditLine(SEED_US);
  assert.ok(us.ok);
  assert.equal(us.record.loggedAt, '06/30/2009 16:47:51');
  assert.equal(us.record.requestTime, '6/30/2009 4:47:50 PM');
  assert.equal(us.record.requested[0]?.timestamp, '1/1/1601 12:00:00 AM');
  assert.equal(us.record.response[0]?.timestamp, '5/20/2009 2:03:46 AM');

  const none = parseAuditLine(SEED_NO_OFFER);
  assert.ok(none.ok);
  assert.deepEqual(none.record.response, []);
});

test('malformed lines give an error value, never an exception', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['   \r\n', /empty/],
    [SEED_HEADER, /header/],
    [' ' + SEED_HEADER, /header/],
    ['hello world', /13 fields, found 1/],
    [SEED_NO_OFFER + ',extra', /found 14/],
    [SEED_NO_OFFER.replace('"C185H001209"', '"C185H001209'), /unterminated|after quoted/],
    [SEED_NO_OFFER.replace('"C185H001209"', '"C185"H001209'), /after quoted field 7/],
    ['a,b,c,d,e,"f', /unterminated quoted field 6/],
    [SEED_NO_OFFER.replace('cpe.nbt;0.0.0.0;01-01-1601 00:00:00', 'cpe.nbt;0.0.0.0'), /requested modules/],
    [SEED_INTERIM.replace(';1.0.522.103;16-12-2008 04:43:58', ''), /response modules/],
    [SEED_NO_OFFER.replace('cpe.nbt;0.0.0.0;01-01-1601 00:00:00', ';x'), /requested modules/],
  ];
  for (const [line, error] of cases) {
    const r = parseAuditLine(line);
    assert.equal(r.ok, false, line);
    if (!r.ok) assert.match(r.error, error, line);
  }
});

test('a formatted line round-trips through parseAuditLine', () => {
  const entry = seedEntry({ vendor: 'Polycom, "Inc"', response: [{ url: 'https://h/x.nbt', version: '4.0', timestamp: 'ts' }] });
  const r = parseAuditLine(formatAuditLine(entry));
  assert.ok(r.ok);
  assert.equal(r.record.vendor, 'Polycom, "Inc"');
  assert.equal(r.record.mac, entry.macRaw);
  assert.deepEqual(r.record.requested, entry.requested);
  assert.deepEqual(r.record.response, [{ fileName: 'https://h/x.nbt', version: '4.0', timestamp: 'ts' }]);
});
