// The inventory's cap: which phones may make room (seen on one occasion, two days ago or more, nothing downloaded or
// installed, not a test device), and how many new phones are let in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admissible, evictable, evictableBefore, evictionsWanted, seenOnce } from '../../src/server/domain/inventory-cap.js';

const NOW = '2026-06-10T12:00:00.000Z';
const H = 3_600_000;
const ago = (hours: number) => new Date(Date.parse(NOW) - hours * H).toISOString();
const once = (hoursAgo: number, over = {}) => ({ firstSeen: ago(hoursAgo), lastSeen: ago(hoursAgo), downloadedAt: null, updatedAt: null, ...over });

test('a phone seen on one occasion more than two days ago may be evicted; a phone that came back never', () => {
  const cases: [what: string, r: ReturnType<typeof once>, testDevice: boolean, expected: boolean][] = [
    ['seen once, 3 days ago', once(72), false, true],
    ['seen once, 49 hours ago', once(49), false, true],
    ['seen once, exactly 2 days ago', once(48), false, false],
    ['seen once, yesterday (a new real phone has not come back yet)', once(30), false, false],
    ['retries within the hour are one occasion', { ...once(72), firstSeen: new Date(Date.parse(ago(72)) - H + 1).toISOString() }, false, true],
    ['back an hour later: two occasions', { ...once(72), firstSeen: ago(73) }, false, false],
    ['checked in on two days, silent for a month', { ...once(720), firstSeen: ago(744) }, false, false],
    ['downloaded its offer', once(72, { downloadedAt: ago(72) }), false, false],
    ['reported the offered version', once(72, { updatedAt: ago(72) }), false, false],
    ['a test device', once(72), true, false],
  ];
  for (const [what, r, testDevice, expected] of cases) assert.equal(evictable(r, testDevice, NOW), expected, what);
  assert.equal(seenOnce({ firstSeen: ago(2), lastSeen: ago(1.5) }), true);
  assert.equal(seenOnce({ firstSeen: ago(2), lastSeen: ago(1) }), false);
  assert.equal(evictableBefore(NOW), '2026-06-08T12:00:00.000Z');
});

test('eviction makes room for the new phones only, and never more than arrive', () => {
  // [stored, cap, arriving] -> evictions wanted
  assert.equal(evictionsWanted(100, 200, 50), 0, 'room left');
  assert.equal(evictionsWanted(180, 200, 50), 30, 'part of the batch fits');
  assert.equal(evictionsWanted(200, 200, 50), 50, 'full: one out per one in');
  assert.equal(evictionsWanted(300, 200, 50), 50, 'over a lowered cap: no mass deletion on the phone path');
  assert.equal(evictionsWanted(200, 200, 0), 0);
});

test('new phones fit up to the cap after eviction; the rest are not recorded', () => {
  assert.equal(admissible(100, 200, 50), 50);
  assert.equal(admissible(180, 200, 50), 20, 'nothing could be evicted');
  assert.equal(admissible(170, 200, 50), 30, '10 evicted of the 30 wanted');
  assert.equal(admissible(200, 200, 50), 0);
  assert.equal(admissible(250, 200, 50), 0, 'over a lowered cap');
  assert.equal(admissible(0, Infinity, 5), 5, 'no cap');
});
