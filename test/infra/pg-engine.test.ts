// The PostgreSQL engine (infra/pg/) on a real throwaway cluster: its schema, each repository's semantics (those of the
// SQLite repositories), the pool's blobs and their verified local cache, the write lock, change notifications between
// two engines, and a database that stops and starts again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { StoreBusy, StoreUnavailable, type DevicesRepo } from '../../src/server/app/store-contract.js';
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js';
import type { Version } from '../../src/shared/version.js';
import { CHUNK_BYTES } from '../../src/server/infra/pg/blob-store.js';
import { openPool } from '../../src/server/infra/pg/connection.js';
import { openPgEngine, PgEngine } from '../../src/server/infra/pg/engine.js';
import { PG_MIGRATIONS } from '../../src/server/infra/pg/migrations.js';
import { pgMissing, startPgCluster, type PgCluster } from '../pg-cluster.js';
import { tempDir } from '../helpers.js';

const skip = pgMissing();
// The inventory repository (PgDevicesRepo) is written separately; these tests do not reach it.
const noDevices = () => ({}) as DevicesRepo;
const NOW = '2026-01-01T00:00:00.000Z';
const v = (s: string) => s as Version;

let cluster: PgCluster;
let tmp: { dir: string; remove: () => Promise<void> };
let dbs = 0;
const engines: PgEngine[] = [];

/** An engine on `url` (a fresh database when absent) with its own empty cache folder. */
async function engine(url?: string): Promise<PgEngine> {
  const e = await openPgEngine(url ?? cluster.createDatabase(`t${++dbs}`), join(tmp.dir, `node${engines.length}`), noDevices);
  engines.push(e);
  return e;
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** Resolves at fn's next call. */
function nextCall(subscribe: (fn: () => void) => () => void): Promise<void> {
  return new Promise((resolve) => {
    const off = subscribe(() => {
      off();
      resolve();
    });
  });
}

describe('PostgreSQL engine', { skip, timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startPgCluster();
    tmp = await tempDir('ucu-pg-engine-');
  });
  after(async () => {
    for (const e of engines) await e.close().catch(() => {});
    cluster?.remove();
    await tmp?.remove();
  });

  test('two engines starting at once on an empty database migrate it once; opening again runs nothing twice', async () => {
    const url = cluster.createDatabase('migrate_twice');
    const [a, b] = await Promise.all([engine(url), engine(url)]);
    await a!.repos.settings.write({ httpPort: 8080 });
    const again = await engine(url);
    assert.equal((await again.repos.settings.read()).httpPort, 8080);
    assert.deepEqual(await sql(url, 'SELECT version FROM schema_version'), [{ version: PG_MIGRATIONS.length }]);
    const tables = (await sql<{ t: string }>(url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.t);
    for (const t of ['admins', 'blob_chunks', 'blobs', 'device_logs', 'history', 'images', 'interim_images', 'package_files', 'packages', 'rules', 'sessions', 'settings', 'store_files', 'test_devices']) {
      assert.ok(tables.includes(t), t);
    }
    await b!.check();
  });

  test('a database written by a newer ucupdates is refused in words, and left untouched', async () => {
    const url = cluster.createDatabase('newer');
    await sql(url, 'CREATE TABLE schema_version (id integer PRIMARY KEY, version integer NOT NULL)');
    await sql(url, 'INSERT INTO schema_version VALUES (1, $1)', [PG_MIGRATIONS.length + 1]);
    await assert.rejects(engine(url), /^Error: The pool's database was written by a newer ucupdates \(schema \d+, this one knows \d+\)\. Upgrade ucupdates on this server\.$/);
    assert.deepEqual(await sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"), [{ tablename: 'schema_version' }]);
  });

  test('a read-only database (a standby) is refused in words, at start and by check()', async () => {
    const url = cluster.createDatabase('read_only');
    await engine(url);
    await sql(url, 'ALTER DATABASE read_only SET default_transaction_read_only = on');
    const readOnly = (x: unknown) => x instanceof StoreUnavailable && /^The pool's database at [\d.]+:\d+ is read-only \(a standby\?\); point the pool URL at the primary\.$/.test(x.message);
    await assert.rejects(engine(url), readOnly);
    // An engine on new connections (those of the first one predate the change), its schema current.
    const e = new PgEngine(url, openPool(url), join(tmp.dir, 'ro'), noDevices);
    engines.push(e);
    await assert.rejects(e.check(), readOnly);
  });

  test('rules: one per key whatever its case, listed in byte order, versions newest first, addImage says whether it was new', async () => {
    const { repos } = await engine();
    const key = { deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU', updateType: 'CPE' };
    const id = await repos.rules.ensure(key, NOW);
    assert.equal(await repos.rules.ensure({ ...key, model: 'cx600', locale: 'enu' }, NOW), id);
    const other = await repos.rules.ensure({ ...key, model: 'CX3000' }, NOW);
    const lower = await repos.rules.ensure({ ...key, vendor: 'aastra' }, NOW);
    assert.deepEqual((await repos.rules.list()).map((r) => r.id), [other, id, lower], 'byte order: upper case first');
    assert.equal((await repos.rules.findByKey({ ...key, vendor: 'POLYCOM' }))!.id, id);
    assert.equal(await repos.rules.findByKey({ ...key, model: 'CX700' }), undefined);

    const p = await repos.packages.insert({ sha256: 'a'.repeat(64), fileName: 'p.cab', packageVersion: null, size: 10, kind: 'cab', importedAt: NOW, importedBy: 't' });
    assert.equal(await repos.rules.addImage(id, v('4.0.7577.4363'), p), true);
    assert.equal(await repos.rules.addImage(id, v('4.0.7577.4363'), p), false);
    assert.equal(await repos.rules.addImage(id, v('4.0.7577.4366'), p), true);
    assert.equal(await repos.rules.addImage(id, v('4.0.7577.99'), p), true);
    await repos.rules.setVersions(id, { approved: v('4.0.7577.4366'), pending: null, restore: v('4.0.7577.4363') }, '2026-01-02T00:00:00.000Z');
    const rule = (await repos.rules.get(id))!;
    assert.deepEqual(rule, {
      id, ...key, approved: '4.0.7577.4366', pending: null, restore: '4.0.7577.4363', updatedAt: '2026-01-02T00:00:00.000Z',
      versions: ['4.0.7577.4366', '4.0.7577.4363', '4.0.7577.99'],
    });
    assert.deepEqual((await repos.rules.list()).find((r) => r.id === id), rule);
    assert.equal(await repos.rules.get(999), undefined);

    // The images whose files the package holds (path keys are lower case).
    await repos.packages.addStoreFile({ pathKey: 'ucphone/polycom/cx600/a/enu/4.0.7577.4363/cpe/cpe.nbt', relPath: 'UCPhone/Polycom/CX600/A/ENU/4.0.7577.4363/CPE/CPE.nbt', sha256: 'b'.repeat(64), size: 5, timestamp: '01-01-2026 00:00:00', packageId: p });
    assert.deepEqual(await repos.rules.imagesOfPackage(p), [{ ruleId: id, version: '4.0.7577.4363' }]);
  });

  test('packages: files shared with a kept package are handed over on removal; removalImpact counts what is freed', async () => {
    const { repos } = await engine();
    const pkg = (n: string) => repos.packages.insert({ sha256: n.repeat(64), fileName: `${n}.cab`, packageVersion: '1.0', size: 100, kind: 'cab', importedAt: NOW, importedBy: 'alice' });
    const [a, b] = [await pkg('a'), await pkg('b')];
    const rule = await repos.rules.ensure({ deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU', updateType: 'CPE' }, NOW);
    const image = (version: string) => `UCPhone/Polycom/CX600/A/ENU/${version}/CPE`;
    const file = (rel: string, sha: string, size: number, packageId: number) =>
      repos.packages.addStoreFile({ pathKey: rel.toLowerCase(), relPath: rel, sha256: sha.repeat(64), size, timestamp: '01-01-2026 00:00:00', packageId });
    // a: image 1.0 (two files, one blob also used by b's image), b: image 1.0 again (same files) and image 2.0.
    await file(`${image('1.0')}/CPE.nbt`, '1', 10, a);
    await file(`${image('1.0')}/SIP.nbt`, '2', 20, a);
    await file(`${image('1.1')}/CPE.nbt`, '3', 30, a);
    await file(`${image('1.1')}/SIP.nbt`, '2', 20, a); // the same content as 1.0's SIP.nbt
    await file(`${image('1.0')}/CPE.nbt`, '1', 10, b);
    await file(`${image('1.0')}/SIP.nbt`, '2', 20, b);
    await file(`${image('2.0')}/CPE.nbt`, '4', 40, b);
    for (const [ver, p] of [['1.0', a], ['1.1', a], ['2.0', b]] as const) await repos.rules.addImage(rule, v(ver), p);

    assert.deepEqual((await repos.packages.list()).map((p) => [p.id, p.fileCount]), [[b, 3], [a, 4]]);
    assert.deepEqual(await repos.packages.findBySha('a'.repeat(64)), { id: a, sha256: 'a'.repeat(64), fileName: 'a.cab', packageVersion: '1.0', size: 100, kind: 'cab', importedAt: NOW, importedBy: 'alice', fileCount: 4 });
    assert.equal((await repos.packages.getStoreFile(`${image('1.0')}/SIP.nbt`.toLowerCase()))!.packageId, a);
    assert.deepEqual(await repos.packages.referencedBlobs(), new Set(['1', '2', '3', '4'].map((c) => c.repeat(64))));
    // Removing a frees 1.1's two files, and the bytes of blob 3 only (blob 2 is still 1.0's SIP.nbt, kept by b).
    assert.deepEqual(await repos.packages.removalImpact([a]), { files: 2, bytes: 30 });
    assert.deepEqual(await repos.packages.removalImpact([a, b]), { files: 5, bytes: 100 });

    await repos.packages.remove([a]);
    assert.deepEqual((await repos.packages.list()).map((p) => p.id), [b]);
    assert.deepEqual((await repos.packages.allStoreFiles()).map((f) => [f.relPath, f.packageId]).sort(), [
      [`${image('1.0')}/CPE.nbt`, b], [`${image('1.0')}/SIP.nbt`, b], [`${image('2.0')}/CPE.nbt`, b],
    ]);
    assert.deepEqual((await repos.rules.get(rule))!.versions, ['2.0', '1.0'], 'image 1.1 had no file left');
    assert.deepEqual(await repos.rules.imagesOfPackage(b), [{ ruleId: rule, version: '1.0' }, { ruleId: rule, version: '2.0' }]);
    assert.deepEqual(await repos.packages.referencedBlobs(), new Set(['1', '2', '4'].map((c) => c.repeat(64))));
  });

  test('interim images: one per locale whatever its case, their files by locale then name', async () => {
    const { repos } = await engine();
    const p = await repos.packages.insert({ sha256: 'c'.repeat(64), fileName: 'i.cab', packageVersion: null, size: 1, kind: 'interim', importedAt: NOW, importedBy: 't' });
    const file = (rel: string) => repos.packages.addStoreFile({ pathKey: rel.toLowerCase(), relPath: rel, sha256: 'd'.repeat(64), size: 7, timestamp: 't', packageId: p });
    await file('OCInterim/ENU/b.nbt');
    await file('OCInterim/ENU/A.nbt');
    await file('OCInterim/DEU/x.nbt');
    await file('OCInterimX/ENU/no.nbt');
    await repos.packages.setInterim('enu', v('1.0'), p);
    await repos.packages.setInterim('ENU', v('2.0'), p);
    await repos.packages.setInterim('deu', v('1.0'), p);
    assert.deepEqual(await repos.packages.listInterim(), [{ locale: 'DEU', version: '1.0', packageId: p }, { locale: 'ENU', version: '2.0', packageId: p }]);
    assert.deepEqual((await repos.packages.interimFiles()).map((f) => [f.locale, f.fileName, f.size]), [['DEU', 'x.nbt', 7], ['ENU', 'A.nbt', 7], ['ENU', 'b.nbt', 7]]);
  });

  test('test devices: conflicts by MAC, or by serial whatever its case; listed by name without case', async () => {
    const { repos } = await engine();
    const bob = await repos.testDevices.add({ name: 'bob', mac: '0004F2000001', serial: null }, NOW);
    const alice = await repos.testDevices.add({ name: 'Alice', mac: null, serial: 'SN-abc' }, NOW);
    const carl = await repos.testDevices.add({ name: 'Carl', mac: '0004F2000003', serial: 'X1' }, NOW);
    assert.deepEqual((await repos.testDevices.list()).map((d) => d.name), ['Alice', 'bob', 'Carl']);
    assert.deepEqual(await repos.testDevices.get(alice), { id: alice, name: 'Alice', mac: null, serial: 'SN-abc', createdAt: NOW });
    assert.equal((await repos.testDevices.findConflict('0004F2000001', null))!.id, bob);
    assert.equal((await repos.testDevices.findConflict(null, 'sn-ABC'))!.id, alice);
    assert.equal(await repos.testDevices.findConflict(null, 'sn-ABC', alice), undefined);
    assert.equal(await repos.testDevices.findConflict('0004F2000009', 'other'), undefined);
    await assert.rejects(repos.testDevices.add({ name: 'dup', mac: null, serial: 'sn-abc' }, NOW), /unique/i);
    await repos.testDevices.update(carl, { name: 'Carla', mac: null, serial: 'X2' });
    assert.deepEqual(await repos.testDevices.get(carl), { id: carl, name: 'Carla', mac: null, serial: 'X2', createdAt: NOW });
    assert.equal(await repos.testDevices.remove(carl), true);
    assert.equal(await repos.testDevices.remove(carl), false);
  });

  test('settings: defaults filled in, written values read back, a stored value that no longer validates falls back', async () => {
    const e = await engine();
    assert.deepEqual(await e.repos.settings.read(), DEFAULT_SETTINGS);
    await e.repos.settings.write({ httpPort: 8080, httpsPort: 8443 });
    await e.repos.settings.write({ httpPort: 8081 });
    assert.deepEqual(await e.repos.settings.read(), { ...DEFAULT_SETTINGS, httpPort: 8081, httpsPort: 8443 });
    await e.transaction(async (tx) => {
      await tx.settings.write({ httpPort: 'nonsense' as unknown as number });
    });
    assert.equal((await e.repos.settings.read()).httpPort, DEFAULT_SETTINGS.httpPort);
  });

  test('history: newest first, a page before an id', async () => {
    const { repos } = await engine();
    for (const target of ['one', 'two', 'three']) await repos.history.add({ at: NOW, actor: 'alice', action: 'approve', target, details: { n: target.length } });
    const all = await repos.history.list(10);
    assert.deepEqual(all.map((h) => [h.target, h.details]), [['three', { n: 5 }], ['two', { n: 3 }], ['one', { n: 3 }]]);
    assert.deepEqual((await repos.history.list(1, all[0]!.id)).map((h) => h.target), ['two']);
    assert.equal(typeof all[0]!.id, 'number');
  });

  test('admins: names without case, the first spelling kept; sessions follow their account', async () => {
    const { repos } = await engine();
    await repos.admins.upsert({ username: 'Alice', passwordHash: 'h1', role: 'admin', createdAt: NOW });
    await repos.admins.upsert({ username: 'alice', passwordHash: 'h2', role: 'viewer', createdAt: 'later' });
    await repos.admins.upsert({ username: 'bob', passwordHash: 'hb', role: 'admin', createdAt: NOW });
    assert.deepEqual(await repos.admins.list(), [{ username: 'Alice', role: 'viewer', createdAt: NOW }, { username: 'bob', role: 'admin', createdAt: NOW }]);
    assert.deepEqual(await repos.admins.get('ALICE'), { username: 'Alice', passwordHash: 'h2', role: 'viewer', createdAt: NOW });
    await repos.admins.replacePasswordHash('alice', 'stale', 'h3');
    assert.equal((await repos.admins.get('alice'))!.passwordHash, 'h2', 'changed meanwhile: not replaced');
    await repos.admins.replacePasswordHash('alice', 'h2', 'h3');
    assert.equal((await repos.admins.get('alice'))!.passwordHash, 'h3');

    await repos.admins.addSession('t1', 'alice', 'c1', NOW, '2026-01-02T00:00:00.000Z');
    await repos.admins.addSession('t2', 'ALICE', 'c2', NOW, '2026-01-01T12:00:00.000Z');
    await repos.admins.addSession('t3', 'bob', 'c3', NOW, '2026-01-02T00:00:00.000Z');
    await assert.rejects(repos.admins.addSession('t4', 'nobody', 'c', NOW, NOW), /foreign key/);
    assert.deepEqual(await repos.admins.findSession('t1', '2026-01-01T13:00:00.000Z'), { username: 'Alice', role: 'viewer', csrf: 'c1', expiresAt: '2026-01-02T00:00:00.000Z' });
    assert.equal(await repos.admins.findSession('t2', '2026-01-01T13:00:00.000Z'), undefined, 'expired');
    await repos.admins.removeExpiredSessions('2026-01-01T13:00:00.000Z');
    assert.equal(await repos.admins.findSession('t2', NOW), undefined);
    await repos.admins.removeSessionsOf('aLiCe');
    assert.equal(await repos.admins.findSession('t1', NOW), undefined);
    await repos.admins.addSession('t5', 'alice', 'c5', NOW, '2026-01-02T00:00:00.000Z');
    assert.equal(await repos.admins.remove('ALICE'), true);
    assert.equal(await repos.admins.remove('alice'), false);
    assert.equal(await repos.admins.findSession('t5', NOW), undefined, 'removed with its account');
    await repos.admins.removeSession('t3');
    assert.equal(await repos.admins.findSession('t3', NOW), undefined);
  });

  test('device logs: a phone by its MAC or its serial (any case), newest first; sizes summed; removal by id and path', async () => {
    const { repos } = await engine();
    const log = (mac: string, serial: string, rel: string, size: number, at: string) =>
      repos.deviceLogs.add({ mac, serial, type: 'Watson', fileName: rel.split('/').pop()!, relPath: rel, size, address: '10.0.0.1', receivedAt: at });
    const one = await log('0004F2000001', 'SN1', 'Client/Watson/a/1.log', 10, '2026-01-01T01:00:00.000Z');
    const two = await log('', 'sn1', 'Client/Watson/a/2.log', 20, '2026-01-01T02:00:00.000Z');
    await log('0004F2000002', '', 'Client/Watson/b/3.log', 40, '2026-01-01T03:00:00.000Z');
    assert.deepEqual((await repos.deviceLogs.listFor('0004F2000001', 'SN1')).map((l) => l.id), [two, one]);
    assert.deepEqual((await repos.deviceLogs.listFor('', '')).map((l) => l.id), [], 'blank identities match nothing');
    assert.deepEqual(await repos.deviceLogs.get(one), { id: one, mac: '0004F2000001', serial: 'SN1', type: 'Watson', fileName: '1.log', relPath: 'Client/Watson/a/1.log', size: 10, address: '10.0.0.1', receivedAt: '2026-01-01T01:00:00.000Z' });
    assert.equal(await repos.deviceLogs.bytesOf('', 'Sn1'), 30);
    assert.equal(await repos.deviceLogs.totalBytes(), 70);
    assert.deepEqual((await repos.deviceLogs.receivedBefore('2026-01-01T02:30:00.000Z')).map((l) => l.id).sort(), [one, two].sort());
    await repos.deviceLogs.remove([one]);
    await repos.deviceLogs.removePaths(['Client/Watson/b/3.log']);
    assert.deepEqual((await repos.deviceLogs.receivedBefore('2027')).map((l) => l.id), [two]);
    assert.equal(await repos.deviceLogs.totalBytes(), 20);
  });

  test('a transaction commits when fn resolves and rolls back when it throws', async () => {
    const e = await engine();
    const { repos } = e;
    assert.equal(await e.transaction(async (tx) => (await tx.testDevices.add({ name: 'kept', mac: 'AA', serial: null }, NOW)) > 0, { wait: true }), true);
    await assert.rejects(e.transaction(async (tx) => {
      await tx.testDevices.add({ name: 'gone', mac: 'BB', serial: null }, NOW);
      throw new Error('changed my mind');
    }), /changed my mind/);
    assert.deepEqual((await repos.testDevices.list()).map((d) => d.name), ['kept']);
  });

  test('transactions reuse pooled clients without piling listeners on them', async () => {
    const e = await engine();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 15; i++) await e.transaction(async (tx) => tx.history.list(1));
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  test('writers on two nodes take one lock: without wait a busy store is StoreBusy at once, with wait the change follows', async () => {
    const url = cluster.createDatabase('lock');
    const [a, b] = [await engine(url), await engine(url)];
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const first = a.transaction(async (tx) => {
      await tx.history.add({ at: NOW, actor: 'a', action: 'x', target: 'first', details: {} });
      holding();
      await new Promise<void>((r) => (release = r));
    }, { wait: true });
    await held;
    await assert.rejects(b.transaction(async () => {}), (e: unknown) => e instanceof StoreBusy && /^Another server of the pool is changing the store; try again shortly\.$/.test(e.message));
    // Waiting, the second writer sees the first one's committed change.
    const second = b.transaction(async (tx) => (await tx.history.list(10)).map((h) => h.target), { wait: true });
    release();
    await first;
    assert.deepEqual(await second, ['first']);
  });

  test('blobs: put once into the pool, fetched and verified by a node with an empty cache; a damaged chunk is refused', async () => {
    const url = cluster.createDatabase('blobs');
    const [a, b, c] = [await engine(url), await engine(url), await engine(url)];
    const content = randomBytes(2 * CHUNK_BYTES + 12345);
    const src = (name: string) => {
      const p = join(tmp.dir, name);
      writeFileSync(p, content);
      return p;
    };
    const put = await a.blobs.put(src('image.bin'));
    assert.equal(put.size, content.length);
    assert.ok(existsSync(a.blobs.pathOf(put.sha256)), 'in the putting node\'s cache');
    assert.deepEqual(await b.blobs.put(src('again.bin')), put, 'the same content again');
    assert.deepEqual(await sql(url, 'SELECT count(*)::int AS n FROM blob_chunks'), [{ n: 3 }]);

    assert.equal(existsSync(b.blobs.pathOf(put.sha256)), true, 'put caches on the node that put it');
    assert.equal(existsSync(c.blobs.pathOf(put.sha256)), false);
    const [p1, p2] = await Promise.all([c.blobs.local(put.sha256), c.blobs.local(put.sha256)]);
    assert.equal(p1, c.blobs.pathOf(put.sha256));
    assert.equal(p2, p1);
    assert.ok(readFileSync(p1).equals(content));

    // Two nodes putting the same new content at once: one uploads it, the other waits for that and adds nothing.
    const same = randomBytes(1000);
    const copies = ['x.bin', 'y.bin'].map((n) => {
      writeFileSync(join(tmp.dir, n), same);
      return join(tmp.dir, n);
    });
    const [x, y] = await Promise.all([a.blobs.put(copies[0]!), b.blobs.put(copies[1]!)]);
    assert.deepEqual(x, y);
    assert.deepEqual(await sql(url, 'SELECT count(*)::int AS n FROM blob_chunks WHERE sha256 = $1', [x!.sha256]), [{ n: 1 }]);

    const empty = join(tmp.dir, 'empty.bin');
    writeFileSync(empty, '');
    const none = await a.blobs.put(empty);
    assert.equal(readFileSync(await (await engine(url)).blobs.local(none.sha256)).length, 0);

    await sql(url, "UPDATE blob_chunks SET data = set_byte(data, 7, (get_byte(data, 7) + 1) % 256) WHERE sha256 = $1 AND seq = 1", [put.sha256]);
    const d = await engine(url);
    await assert.rejects(d.blobs.local(put.sha256), /^Error: The pool's copy of image file [0-9a-f]{64} is damaged \(its size or SHA-256 does not match\); import its package again\.$/);
    assert.equal(existsSync(d.blobs.pathOf(put.sha256)), false);
    await assert.rejects(d.blobs.local('f'.repeat(64)), /The pool has no image file with SHA-256 f{64}/);
    await assert.rejects(d.blobs.local('../etc'), /^Error: Not a SHA-256 hash: "\.\.\/etc"\.$/);

    // Garbage: referenced and young blobs stay, in the pool and in the caches.
    assert.equal(await a.blobs.collectGarbage(new Set(), 3600_000), 0);
    assert.equal(await a.blobs.collectGarbage(new Set([put.sha256, x!.sha256]), 0), 1);
    assert.deepEqual(await sql(url, 'SELECT sha256 FROM blobs ORDER BY sha256'), [put.sha256, x!.sha256].sort().map((sha256) => ({ sha256 })));
    assert.equal(existsSync(a.blobs.pathOf(none.sha256)), false);
    assert.equal(await a.blobs.collectGarbage(new Set(), 0), 2);
    assert.deepEqual(await sql(url, 'SELECT count(*)::int AS n FROM blob_chunks'), [{ n: 0 }]);
    assert.equal(existsSync(a.blobs.pathOf(put.sha256)), false);
  });

  test('a change announced on one node reaches the other, not itself; one announced in a rolled-back transaction never does', async (t) => {
    const url = cluster.createDatabase('notify');
    const [a, b] = [await engine(url), await engine(url)];
    let aCalls = 0;
    a.onExternalChange(() => aCalls++);
    let bCalls = 0;
    b.onExternalChange(() => bCalls++);
    // Listening begins once the listener connected: announce until the first one arrives.
    const first = nextCall((fn) => b.onExternalChange(fn));
    while (bCalls === 0) {
      await a.transaction(async () => undefined, { announce: true });
      await Promise.race([first, new Promise((r) => setTimeout(r, 50))]);
    }
    const before = { a: aCalls, b: bCalls };
    const arrived = nextCall((fn) => b.onExternalChange(fn));
    const sent = performance.now();
    await a.transaction(async () => undefined, { announce: true });
    await arrived;
    t.diagnostic(`a notification took ${(performance.now() - sent).toFixed(1)} ms from node to node`);
    assert.equal(aCalls, before.a, 'a node is not told of its own change');

    // Notifications arrive in commit order: by the time b's committed one arrives, a rolled-back one would have.
    const toA = nextCall((fn) => a.onExternalChange(fn));
    await assert.rejects(b.transaction(async () => {
      throw new Error('no');
    }, { announce: true }));
    await b.transaction(async () => {}, { announce: true });
    await toA;
    assert.equal(aCalls, before.a + 1);
  });

  test('a stopped database is StoreUnavailable in one sentence naming host:port; nodes recover by themselves when it is back', async () => {
    const base = cluster.createDatabase('faults');
    const url = base.replace('://ucupdates@', '://ucupdates:s3cret@');
    const [a, b] = [await engine(url), await engine(url)];
    assert.doesNotMatch(a.location, /s3cret/);
    const hostPort = new URL(base).host;
    await a.repos.settings.write({ httpPort: 8080 });
    let calls = 0;
    a.onExternalChange(() => calls++);
    while (calls === 0) {
      await b.transaction(async () => undefined, { announce: true }); // until a's listener is connected
      await new Promise((r) => setTimeout(r, 50));
    }

    cluster.stop();
    const unavailable = (e: unknown) => {
      assert.ok(e instanceof StoreUnavailable, String(e));
      // Refused, or lost: a pooled connection may learn only now that the server went away.
      assert.match(e.message, new RegExp(`^The pool's database at ${hostPort.replace(/\./g, '\\.')} cannot be reached \\((it refuses connections|the connection was lost|the server shut down)\\)\\.$`));
      return true;
    };
    await assert.rejects(a.repos.settings.read(), unavailable);
    await assert.rejects(a.transaction(async () => {}, { wait: true }), unavailable);
    await assert.rejects(a.check(), unavailable);
    await assert.rejects(a.transaction(async () => undefined, { announce: true }), unavailable);
    await assert.rejects(a.blobs.local('e'.repeat(64)), unavailable);
    await assert.rejects(openPgEngine(url, join(tmp.dir, 'late'), noDevices), unavailable);

    // Back: a's listener reconnects by itself and reports the changes it may have missed, once.
    const recovered = nextCall((fn) => a.onExternalChange(fn));
    cluster.start();
    await recovered;
    await a.check();
    assert.equal((await a.repos.settings.read()).httpPort, 8080);
    const told = nextCall((fn) => a.onExternalChange(fn));
    await b.transaction(async (tx) => tx.settings.write({ httpPort: 8081 }), { wait: true });
    await b.transaction(async () => undefined, { announce: true });
    await told;
    assert.equal((await a.repos.settings.read()).httpPort, 8081);
  });
});
