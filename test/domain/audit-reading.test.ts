// Reading an old server's audit log, as tables: the Logging DateTime in every notation seen (the file name's date
// deciding between day and month), and each seed line as the observation the phone path would have recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuditLine, type AuditRecord } from '../../src/server/domain/audit-format.js';
import { auditFileDate, auditObservation, interpretAuditDate, type CalendarDay } from '../../src/server/domain/audit-reading.js';
import { applyPastCheck } from '../../src/server/domain/device-state.js';
import { SEED_LINES } from '../fixtures/audit-lines.js';

const at = (y: number, mo: number, d: number, h: number, mi: number, s: number) => ({ year: y, month: mo, day: d, hour: h, minute: mi, second: s });

test('the file name dates the log: RequestHandlerAuditLog_<server>_<ddMMyyyy>.log', () => {
  const cases: [string, CalendarDay | undefined][] = [
    ['RequestHandlerAuditLog_nawocsstd_04052009.log', { year: 2009, month: 5, day: 4 }],
    ['RequestHandlerAuditLog_ocs.demo.local_30062009.LOG', { year: 2009, month: 6, day: 30 }],
    ['RequestHandlerAuditLog_ucu_04052009.2.log', { year: 2009, month: 5, day: 4 }], // a later part of our own
    ['RequestHandlerAuditLog_x_31022009.log', undefined], // no 31 February
    ['RequestHandlerAuditLog_x_2009-06-30.log', undefined],
    ['audit.log', undefined],
  ];
  for (const [name, want] of cases) assert.deepEqual(auditFileDate(name), want, name);
});

test('the Logging DateTime in every notation; month first unless the file date says otherwise', () => {
  const may4 = { year: 2009, month: 5, day: 4 };
  const apr5 = { year: 2009, month: 4, day: 5 };
  const cases: [text: string, fileDate: CalendarDay | undefined, want: ReturnType<typeof interpretAuditDate>][] = [
    // OCS / Lync (MM-dd-yyyy), as the seed and formatAuditLine write it
    ['03-06-2009 17:07:20', undefined, at(2009, 3, 6, 17, 7, 20)],
    ['03-06-2009 17:07:20', { year: 2009, month: 6, day: 3 }, at(2009, 6, 3, 17, 7, 20)],
    ['03-06-2009 17:07:20', { year: 2009, month: 3, day: 6 }, at(2009, 3, 6, 17, 7, 20)],
    // German culture: the same format with "." separators
    ['05.04.2009 16:30:13', undefined, at(2009, 5, 4, 16, 30, 13)],
    ['05.04.2009 16:30:13', may4, at(2009, 5, 4, 16, 30, 13)],
    ['05.04.2009 16:30:13', apr5, at(2009, 4, 5, 16, 30, 13)],
    ['05.04.2009 00:00:01', { year: 2009, month: 4, day: 4 }, at(2009, 4, 5, 0, 0, 1)], // a line just after midnight
    ['05.04.2009 16:30:13', { year: 2011, month: 1, day: 1 }, at(2009, 5, 4, 16, 30, 13)], // a renamed file: default
    // US culture, 12-hour clock
    ['6/30/2009 4:47:50 PM', undefined, at(2009, 6, 30, 16, 47, 50)],
    ['6/30/2009 4:47:50 PM', { year: 2009, month: 6, day: 30 }, at(2009, 6, 30, 16, 47, 50)],
    ['06/30/2009 16:47:51', undefined, at(2009, 6, 30, 16, 47, 51)],
    ['1/1/1601 12:00:00 AM', undefined, at(1601, 1, 1, 0, 0, 0)],
    ['12/31/2009 12:05:00 PM', undefined, at(2009, 12, 31, 12, 5, 0)],
    // Only one reading is a date: the file date cannot override it
    ['30-06-2009 08:00:00', { year: 2009, month: 6, day: 29 }, at(2009, 6, 30, 8, 0, 0)],
    ['2009-06-30 08:00:00', undefined, at(2009, 6, 30, 8, 0, 0)],
    // Garbage
    ['', undefined, '"" is not a date and time'],
    ['yesterday', undefined, '"yesterday" is not a date and time'],
    ['13-13-2009 10:00:00', undefined, '"13-13-2009 10:00:00" has no such date'],
    ['02-30-2009 10:00:00', undefined, '"02-30-2009 10:00:00" has no such date'],
    ['03-06-2009 24:00:00', undefined, '"03-06-2009 24:00:00" has no such time'],
    ['6/30/2009 13:00:00 PM', undefined, '"6/30/2009 13:00:00 PM" has no such time'],
    ['03-06-09 17:07:20', undefined, '"03-06-09 17:07:20" has no such date'],
  ];
  for (const [text, fileDate, want] of cases) assert.deepEqual(interpretAuditDate(text, fileDate), want, `${text} (file ${JSON.stringify(fileDate)})`);
});

const record = (line: string): AuditRecord => {
  const r = parseAuditLine(line);
  assert.ok(r.ok, line);
  return r.record;
};
const AT = '2009-03-06T17:07:20.000Z';

test('a seed line with nothing offered: the phone as it reported itself, up to date', () => {
  const r = auditObservation(record(SEED_LINES.nothing), AT);
  assert.ok(typeof r !== 'string');
  assert.equal(r.identity, 'mac:0021630F207B');
  const { request, ...rest } = r.observation;
  assert.deepEqual(rest, { at: AT, address: '10.1.1.123', version: '0.0.0.0', offer: null });
  assert.deepEqual(
    [request.mac, request.serial, request.vendor, request.model, request.locale, request.userName, request.requestTime],
    ['0021630F207B', 'C185H001209', 'LG-Nortel', 'IP8540', 'ENU', 'ruisilva@demo.local', '06-03-2009 09:07:20'],
  );
  assert.deepEqual(request.modules, [{ fileName: 'cpe.nbt', version: '0.0.0.0', timestamp: '01-01-1601 00:00:00' }]);
});

test('offers read from the response URL: the interim image and a final image folder', () => {
  const offerOf = (line: string) => {
    const r = auditObservation(record(line), AT);
    assert.ok(typeof r !== 'string', line);
    return { version: r.observation.version, offer: r.observation.offer };
  };
  assert.deepEqual(offerOf(SEED_LINES.interim), { version: '0.0.0.0', offer: { version: '1.0.522.103', folder: 'OCInterim/ENU' } });
  assert.deepEqual(offerOf(SEED_LINES.final), {
    version: '1.0.522.103',
    offer: { version: '3.5.6907.0', folder: 'UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE' },
  });
  assert.deepEqual(offerOf(SEED_LINES.german), { version: '0.0.0.0', offer: { version: '1.0.522.103', folder: 'OCInterim/ENU' } });
  assert.deepEqual(offerOf(SEED_LINES.us), { version: '0.0.0.0', offer: { version: '1.0.522.103', folder: 'OCInterim/ENU' } });
  // The external URL (_Ext) names the same folder.
  const ext = SEED_LINES.final.replace('DeviceUpdateFiles_Int', 'DeviceUpdateFiles_Ext');
  assert.equal(offerOf(ext).offer!.folder, 'UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE');
});

test('phones the inventory cannot tell apart, MACs in other notations, and responses that are not image URLs', () => {
  const noId = SEED_LINES.nothing.replace('"0021630F207B","C185H001209"', '"","  "');
  const r = auditObservation(record(noId), AT);
  assert.ok(typeof r !== 'string');
  assert.equal(r.identity, undefined);
  const dashed = auditObservation(record(SEED_LINES.nothing.replace('"0021630F207B"', '"00-21-63-0f-20-7b"')), AT);
  assert.ok(typeof dashed !== 'string');
  assert.equal(dashed.identity, 'mac:0021630F207B');
  const bySerial = auditObservation(record(SEED_LINES.nothing.replace('"0021630F207B"', '"FFFFFFFFFFFF"')), AT);
  assert.ok(typeof bySerial !== 'string');
  assert.equal(bySerial.identity, 'serial:C185H001209');
  const odd = SEED_LINES.interim.replace('https://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt', 'CPE.nbt');
  assert.equal(auditObservation(record(odd), AT), 'the response "CPE.nbt" is not the URL of an image below DeviceUpdateFiles_Int or _Ext');
});

test('a past check against what the inventory knows: newer ones apply, older ones only move first-seen back', () => {
  const check = (iso: string, version: string) => {
    const r = auditObservation(record(SEED_LINES.nothing.replace('cpe.nbt;0.0.0.0', `cpe.nbt;${version}`)), iso);
    assert.ok(typeof r !== 'string');
    return r.observation;
  };
  const ID = 'mac:0021630F207B';
  const first = applyPastCheck(undefined, ID, check('2009-03-06T12:00:00.000Z', '1.0'));
  assert.deepEqual([first.applied, first.record.firstSeen, first.record.lastSeen], [true, '2009-03-06T12:00:00.000Z', '2009-03-06T12:00:00.000Z']);
  const newer = applyPastCheck(first.record, ID, check('2009-03-07T12:00:00.000Z', '2.0'));
  assert.deepEqual([newer.applied, newer.record.version, newer.record.lastSeen], [true, '2.0', '2009-03-07T12:00:00.000Z']);
  const same = applyPastCheck(newer.record, ID, check('2009-03-07T12:00:00.000Z', '2.0'));
  assert.deepEqual([same.applied, same.record], [false, newer.record], 'the same check again: nothing changes');
  const between = applyPastCheck(newer.record, ID, check('2009-03-06T18:00:00.000Z', '1.5'));
  assert.deepEqual([between.applied, between.record], [false, newer.record]);
  const earlier = applyPastCheck(newer.record, ID, check('2009-03-01T08:00:00.000Z', '0.9'));
  assert.deepEqual([earlier.applied, earlier.record], [false, { ...newer.record, firstSeen: '2009-03-01T08:00:00.000Z' }]);
});
