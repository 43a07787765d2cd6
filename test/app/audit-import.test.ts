// Importing an old server's audit log into a real store: counts, unreadable lines with their numbers, new phones,
// seen_days, idempotence, and an older file against newer data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/server/app/app-error.js';
import { importAuditLog } from '../../src/server/app/audit-import.js';
import type { Store } from '../../src/server/app/store.js';
import { AUDIT_HEADER } from '../../src/server/domain/audit-format.js';
import { phaseOf } from '../../src/server/domain/device-state.js';
import { SEED_LINES } from '../fixtures/audit-lines.js';
import { withFreshStore } from '../helpers.js';

/** The log's local time, as the importer reads it (this machine's zone). */
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number) => new Date(y, mo - 1, d, h, mi, s).toISOString();

const SEED_FILE = [
  AUDIT_HEADER, // 1
  SEED_LINES.nothing, // 2
  SEED_LINES.interim, // 3
  'this is not a line of the log', // 4
  SEED_LINES.final, // 5
  '', // 6
  SEED_LINES.german, // 7
  SEED_LINES.us, // 8
  SEED_LINES.nothing.replace('03-06-2009', '13-13-2009'), // 9
  '03-06-2009 17:20:00,u,10.1.1.1,UCPhone,,"0021630F207B,"C185H001209"', // 10
  SEED_LINES.nothing.replace('"0021630F207B","C185H001209"', '"",""'), // 11: a phone with neither MAC nor serial
].join('\r\n');

/** A fresh store, and a way to write a file beside it. */
const withStore = (fn: (store: Store, file: (name: string, text: string) => Promise<string>) => Promise<void>) =>
  withFreshStore((store) =>
    fn(store, async (name, text) => {
      const path = join(store.paths.dataDir, name);
      await writeFile(path, text);
      return path;
    }),
  );

const phone = async (store: Store, mac: string) => (await store.devices.findAll([`mac:${mac}`])).get(`mac:${mac}`);
const everything = async (store: Store) => ({
  devices: await store.devices.list({}, { stuckBefore: '', silentBefore: '' }, 'mac', 'asc', 100, 0),
  days: [...(await store.devices.seenDays('1900-01-01'))].sort(),
});

test('a file of seed lines and malformed ones: checks applied in order, errors listed by line, new phones counted', async () => {
  await withStore(async (store, file) => {
    const name = 'RequestHandlerAuditLog_ocs_06032009.log';
    const r = await importAuditLog(store, await file(name, SEED_FILE), name, 'alice');
    assert.deepEqual(
      { ...r, errors: r.errors.map((e) => e.line) },
      { fileName: name, lines: 11, imported: 5, skipped: 3, errors: [4, 9, 10], newDevices: 3 },
    );
    assert.equal(r.errors[0]!.message, 'expected 13 fields, found 1');
    assert.equal(r.errors[1]!.message, 'Logging DateTime: "13-13-2009 17:07:20" has no such date');
    assert.match(r.errors[2]!.message, /quoted field/);

    // The LG-Nortel phone of the seed: offered the interim image, installed it, then offered 3.5.6907.0.
    const rui = (await phone(store, '0021630F207B'))!;
    assert.deepEqual(
      [rui.firstSeen, rui.lastSeen, rui.version, rui.offeredVersion, rui.offeredFolder, rui.offeredAt, rui.userName, rui.address],
      [local(2009, 3, 6, 17, 7, 20), local(2009, 3, 6, 17, 18, 54), '1.0.522.103', '3.5.6907.0', 'ucphone/lg-nortel/ip8540/a/enu/3.5.6907.0/cpe', local(2009, 3, 6, 17, 18, 54), 'ruisilva@demo.local', '10.1.1.123'],
    );
    // 05.04.2009 is read month first (the file's date, 6 March, is near neither reading).
    assert.equal((await phone(store, '001B9E4B5B10'))!.lastSeen, local(2009, 5, 4, 16, 30, 13));
    assert.equal((await phone(store, '001B9EF3BC18'))!.offeredVersion, '1.0.522.103');
    // What the old server offered is history: judged on this store's rules (none imported), nothing is due to anyone.
    assert.deepEqual((await everything(store)).devices.map((d) => [d.dueVersion, phaseOf(d)]), [[null, 'current'], [null, 'current'], [null, 'current']]);
    // Each phone counted once on its day, however often it checked in that day.
    const day = (iso: string) => iso.slice(0, 10);
    assert.deepEqual((await everything(store)).days, [
      [day(local(2009, 3, 6, 17, 7, 20)), 1],
      [day(local(2009, 5, 4, 16, 30, 13)), 1],
      [day(local(2009, 6, 30, 16, 47, 51)), 1],
    ].sort());
    const h = await store.history.list(5);
    assert.deepEqual(
      h.map((e) => [e.action, e.target, e.actor, e.details]),
      [['import-audit-log', name, 'alice', { lines: 11, imported: 5, skipped: 3, unreadable: 3, newDevices: 3 }]],
    );

    // The same file again changes nothing: every check is at or before what the inventory knows.
    const before = await everything(store);
    const again = await importAuditLog(store, await file(name, SEED_FILE), name, 'alice');
    assert.deepEqual([again.imported, again.skipped, again.newDevices, again.errors.length], [0, 8, 0, 3]);
    assert.deepEqual(await everything(store), before);
  });
});

test('an older file does not move a phone back: only its first-seen time moves earlier', async () => {
  await withStore(async (store, file) => {
    const july = SEED_LINES.nothing.replace('03-06-2009 17:07:20', '07-01-2009 10:00:00').replace('cpe.nbt;0.0.0.0', 'cpe.nbt;3.5.6907.0');
    const newer = await importAuditLog(store, await file('RequestHandlerAuditLog_ocs_01072009.log', july), 'RequestHandlerAuditLog_ocs_01072009.log', 'alice');
    assert.deepEqual([newer.imported, newer.newDevices], [1, 1]);
    const seed = await importAuditLog(store, await file('RequestHandlerAuditLog_ocs_06032009.log', SEED_FILE), 'RequestHandlerAuditLog_ocs_06032009.log', 'alice');
    assert.deepEqual([seed.imported, seed.skipped, seed.newDevices], [2, 6, 2]);
    const rui = (await phone(store, '0021630F207B'))!;
    assert.deepEqual(
      [rui.firstSeen, rui.lastSeen, rui.version, rui.offeredVersion],
      [local(2009, 3, 6, 17, 7, 20), local(2009, 7, 1, 10, 0, 0), '3.5.6907.0', null],
    );
  });
});

test('thousands of lines, out of order within a batch and across batches, end as the newest line says', async () => {
  await withStore(async (store, file) => {
    const line = (n: number, day: number, version: string) =>
      SEED_LINES.nothing
        .replace('03-06-2009 17:07:20', `06-0${day}-2009 10:${String(n % 60).padStart(2, '0')}:00`)
        .replace('"0021630F207B"', `"0004F2${String(n).padStart(6, '0')}"`)
        .replace('"C185H001209"', `"S${n}"`)
        .replace('cpe.nbt;0.0.0.0', `cpe.nbt;${version}`);
    const phones = 1_500;
    const lines = [AUDIT_HEADER];
    for (let n = 0; n < phones; n++) lines.push(line(n, 2, '1.0'), line(n, 1, '0.9'));
    for (let n = 0; n < phones; n++) lines.push(line(n, 3, '2.0'));
    const name = 'RequestHandlerAuditLog_ocs_03062009.log';
    const r = await importAuditLog(store, await file(name, lines.join('\n')), name, 'cli:test');
    // Day 1's line follows day 2's in its batch: sorted, both apply; day 3's lines come in a later batch.
    assert.deepEqual([r.lines, r.imported, r.skipped, r.newDevices, r.errors], [4_501, 4_500, 1, phones, []]);
    const all = await store.devices.list({}, { stuckBefore: '', silentBefore: '' }, 'mac', 'asc', 1000, 0);
    assert.ok(all.every((d) => d.version === '2.0' && d.firstSeen < d.lastSeen));
    assert.deepEqual((await everything(store)).days.map(([, n]) => n), [phones, phones, phones]);
  });
});

test('a file that is not an audit log is refused, and changes nothing', async () => {
  await withStore(async (store, file) => {
    for (const [name, text] of [
      ['notes.txt', 'Dear admin,\nthis is a letter.\n'],
      ['empty.log', ''],
      ['header-only.log', `${AUDIT_HEADER}\r\n`],
    ]) {
      await assert.rejects(
        importAuditLog(store, await file(name!, text!), name!, 'alice'),
        (e: unknown) => e instanceof AppError && e.code === 'invalid_input' && e.message.startsWith(`${name} is not a Lync/OCS request audit log`),
      );
    }
    assert.deepEqual(await store.history.list(5), []);
    await assert.rejects(importAuditLog(store, join(store.paths.dataDir, 'missing.log'), 'missing.log', 'alice'), (e: unknown) => e instanceof AppError && e.code === 'not_found');
  });
});
