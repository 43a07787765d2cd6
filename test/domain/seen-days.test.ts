// The dashboard's distinct phones per UTC day: which check counts a phone as seen on a day, and the days shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastDays, seenDay, utcDay } from '../../src/server/domain/device-state.js';

test('a check counts its phone on its UTC day when the phone is new or was last seen on another day', () => {
  const cases: [lastSeen: string | undefined, at: string, counted: string | undefined][] = [
    [undefined, '2026-06-01T08:00:00.000Z', '2026-06-01'],
    ['2026-06-01T08:00:00.000Z', '2026-06-01T23:59:59.999Z', undefined],
    ['2026-06-01T23:59:59.999Z', '2026-06-02T00:00:00.000Z', '2026-06-02'],
    ['2026-05-24T08:00:00.000Z', '2026-06-01T08:00:00.000Z', '2026-06-01'],
    // A day is a UTC day, whatever the server's zone: 23:30 in New York on the 1st is the 2nd.
    ['2026-06-01T12:00:00.000Z', '2026-06-02T03:30:00.000Z', '2026-06-02'],
  ];
  for (const [lastSeen, at, counted] of cases) {
    assert.equal(seenDay(lastSeen === undefined ? undefined : { lastSeen }, at), counted, `${lastSeen} -> ${at}`);
  }
  assert.equal(utcDay('2009-03-06T16:07:20.000Z'), '2009-03-06');
});

test('the days shown: n UTC days up to today, oldest first, across month and year ends', () => {
  assert.deepEqual(lastDays(new Date('2026-03-02T00:30:00Z'), 4), ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  assert.deepEqual(lastDays(new Date('2027-01-01T23:59:59Z'), 2), ['2026-12-31', '2027-01-01']);
  const month = lastDays(new Date('2026-06-02T09:00:00Z'), 30);
  assert.equal(month.length, 30);
  assert.deepEqual([month[0], month.at(-1)], ['2026-05-04', '2026-06-02']);
});
