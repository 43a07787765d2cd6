// `ucupdates pool init` and `pool migrate` as real processes against a throwaway PostgreSQL cluster: an embedded data
// folder prepared through the use cases and a real embedded server (phones checking, downloading, sending a log) is
// moved into an empty pool, and a node on the pool then answers the same phones the same way and lists the same
// store. Refusals are one sentence and change nothing: a pool in use, a data folder a server runs on, a pool that
// lacks a column (the copy fails half way), a damaged image in the source folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_PHONE, downloadOffer, httpRequest, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { listDevices } from '../../src/server/app/inventory.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { Store } from '../../src/server/app/store.js';
import { addTestDevice } from '../../src/server/app/test-devices.js';
import type { RunningServer } from '../../src/server/compose.js';
import { deviceQuery } from '../../src/shared/inventory-api.js';
import { interimPackage, multiDevicePackage, newerPackage } from '../fixtures/cabs.js';
import { eventually, startTestServer, tempDir } from '../helpers.js';
import { pgMissing, startPgCluster, type PgCluster } from '../pg-cluster.js';
import { cli, type Run } from './cli-process.js';

const skip = pgMissing();
let tmp: Awaited<ReturnType<typeof tempDir>>;
let cluster: PgCluster;
/** The embedded data folder that moves, prepared once. */
let source: string;

const CU7 = '4.0.7577.4366';
const phone = (over: Partial<SimulatedPhone>): SimulatedPhone => ({ ...DEFAULT_PHONE, version: '4.0.7577.4000', ...over });
const PHONES = {
  cx600: phone({ mac: '0004F2AA0001', serial: 'SN-CX600-1' }), // approved CU8 (restore CU7): downloads it
  cx600Done: phone({ mac: '0004F2AA0002', serial: 'SN-CX600-2', version: '4.0.7577.4387' }), // up to date
  cx700: phone({ model: 'CX700', mac: '0004F2AA0003', serial: 'SN-CX700-1', version: '3.5.6907.0' }), // offered nothing new
  cx700Old: phone({ model: 'CX700', mac: '0004F2AA0004', serial: 'SN-CX700-2', version: '3.5.6000.0' }), // offered, not downloaded
  interim: phone({ model: 'CX700', mac: '0004F2AA0005', serial: 'SN-CX700-3', version: '1.0.522.90' }), // the interim build
  testByMac: phone({ vendor: 'LG-Nortel', model: 'IP8540', mac: '0004F2AA0006', serial: 'SN-LG-1', version: '3.5.0.0' }), // pending
  testBySerial: phone({ model: 'CX700', locale: 'DEU', mac: '0004F2AA0007', serial: 'SN-DEU-1', version: '3.5.0.0' }), // pending
};

/** One sentence on stderr: no stack, no library's raw text, nothing on further lines. */
function oneSentence(r: Run, words: RegExp): void {
  assert.notEqual(r.code, 0, `expected a refusal\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const text = r.stderr.trim();
  assert.match(text, words);
  assert.doesNotMatch(text, /\n|Error:|undefined/, `one sentence: ${text}`);
}

/** Rows in every table of the pool's database at `url`. */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)).rows;
    const out: Record<string, number> = {};
    for (const { t } of tables) out[t] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`)).rows[0]!.n);
    return out;
  } finally {
    await c.end();
  }
}
const emptyExceptSchemaVersion = (counts: Record<string, number>) => Object.entries(counts).filter(([t, n]) => t !== 'schema_version' && n > 0);

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(text).finally(() => c.end());
}

/** What a phone gets: the answer's XML without this server's address and clock, and each offered file by SHA-256. */
async function answerOf(server: RunningServer, p: SimulatedPhone) {
  const r = await simulateCheck(server.urls.http, p);
  assert.equal(r.status, 200, r.raw);
  const files = r.response ? await downloadOffer(r.response) : [];
  assert.ok(files.every((f) => f.status === 200), `every offered file is served: ${JSON.stringify(files)}`);
  const host = new URL(server.urls.http).host;
  const xml = r.raw.split(host).join('<server>').replace(/<CurrentTime>[^<]*<\/CurrentTime>/, '<CurrentTime/>');
  return { xml, files: files.map((f) => ({ name: f.url.split('/').pop(), sha256: f.sha256, size: f.size })) };
}

/** Everything the admin sees, comparable across servers. */
async function listsOf(store: Store) {
  const devices = (await listDevices(store, deviceQuery.parse({ limit: '1000' }))).devices.map(({ mac, serial, state, version, offeredVersion }) => ({ mac, serial, state, version, offeredVersion }));
  return {
    rules: await store.rules.list(),
    interim: await store.packages.listInterim(),
    devices: devices.sort((a, b) => (a.serial ?? '').localeCompare(b.serial ?? '')),
    history: await store.history.list(1000),
    testDevices: await store.testDevices.list(),
    settings: await store.settings.read(),
  };
}

let embedded: { answers: Record<string, Awaited<ReturnType<typeof answerOf>>>; lists: Awaited<ReturnType<typeof listsOf>> };

before(async () => {
  if (skip) return;
  tmp = await tempDir('ucu-pool-cli-');
  cluster = await startPgCluster();
  source = join(tmp.dir, 'embedded');
  const cabs = join(tmp.dir, 'cabs');
  const [multi, newer, interim] = await Promise.all([multiDevicePackage(join(cabs, 'multi')), newerPackage(join(cabs, 'newer')), interimPackage(join(cabs, 'interim'))]);
  const server = await startTestServer(source);
  const answers: typeof embedded.answers = {};
  try {
    const s = server.store;
    await importPackage(s, multi, { actor: 'test', kind: 'package', fileName: 'UCUpdates.cab' });
    await importPackage(s, interim, { actor: 'test', kind: 'interim', fileName: 'OCInterim.cab' });
    const ruleOf = async (model: string, locale = 'ENU') => (await s.rules.list()).find((r) => r.model === model && r.locale === locale && r.updateType === 'CPE')!.id;
    await applyRuleAction(s, 'approve', [await ruleOf('CX600'), await ruleOf('CX700')], 'test');
    await importPackage(s, newer, { actor: 'test', kind: 'package', fileName: 'UCUpdates-newer.cab' });
    await applyRuleAction(s, 'approve', [await ruleOf('CX600')], 'test'); // CU8 approved, CU7 kept to restore
    await addTestDevice(s, { name: 'lab LG', mac: PHONES.testByMac.mac }, 'test');
    await addTestDevice(s, { name: 'lab DEU', serial: PHONES.testBySerial.serial }, 'test');
    await updateSettings(s, { serverName: 'MIGRATED01', deviceSilentDays: 9, roundTableServesPending: true }, 'test');
    await setAdmin(s, 'alice', 'alice-password-1', 'admin', 'test');
    const cx600Rule = (await s.rules.list()).find((r) => r.model === 'CX600' && r.locale === 'ENU')!;
    assert.equal(cx600Rule.restore, CU7, 'a rule with a version to restore');
    // The phones' traffic, recorded by the server's InventoryRecorder.
    for (const p of Object.values(PHONES)) assert.equal((await simulateCheck(server.urls.http, p)).status, 200);
    const r = await simulateCheck(server.urls.http, PHONES.cx600);
    assert.ok((await downloadOffer(r.response!)).every((f) => f.status === 200));
    await eventually(async () => assert.equal((await listDevices(s, deviceQuery.parse({ limit: '100', q: PHONES.cx600.serial }))).devices[0]?.state, 'downloaded'));
    const log = await httpRequest(`${server.urls.http}/RequestHandler/ucdevice.upx?LogType=CELog&FileName=ce.clg&MacAddress=${PHONES.cx700.mac}`, {
      method: 'POST',
      body: 'CE log line\r\n',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    assert.equal(log.status, 200);
    // Several states before the answers below download what they are offered (the inventory judges every phone).
    await eventually(async () => {
      const states = new Set((await listsOf(s)).devices.map((d) => d.state));
      for (const st of ['downloaded', 'offered', 'up-to-date']) assert.ok(states.has(st as never), `state ${st} among ${[...states]}`);
    });
    for (const [name, p] of Object.entries(PHONES)) answers[name] = await answerOf(server, p);
    assert.equal(answers.interim!.files.length > 0, true, 'the interim phone is offered the interim build');
    assert.equal(answers.testByMac!.files.length > 0 && answers.testBySerial!.files.length > 0, true, 'test devices are offered pending versions');
  } finally {
    await server.close(); // its InventoryRecorder writes what it holds
  }
  const closed = new Store(source);
  try {
    embedded = { answers, lists: await listsOf(closed) };
  } finally {
    await closed.close();
  }
});

after(async () => {
  if (skip) return;
  cluster?.remove();
  await tmp?.remove();
});

test('pool init makes the schema once and says so; run again it changes nothing and says that', { skip }, async () => {
  const url = cluster.createDatabase('init_twice');
  const first = await cli(['pool', 'init', url]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /created/i);
  const second = await cli(['pool', 'init', url]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /up to date already/i);
  assert.doesNotMatch(second.stdout, /created/i);
});

test('pool init refuses a URL that is not PostgreSQL\'s in one sentence, without its password', { skip }, async () => {
  for (const url of ['mysql://admin:s3cret-pw@db/ucupdates', 'postgres://admin:s3cret-pw@db:port/ucupdates', 'db.example.com/ucupdates']) {
    const r = await cli(['pool', 'init', url]);
    oneSentence(r, /PostgreSQL URL|postgres:\/\//);
    assert.doesNotMatch(r.stderr, /s3cret-pw/, 'the password is never shown');
  }
});

test('an unreachable pool is refused in one sentence naming host:port, never the password', { skip }, async () => {
  const port = Number(new URL(await (await import('../helpers.js')).closedUrl()).port);
  const url = `postgres://ucupdates:s3cret-pw@127.0.0.1:${port}/ucupdates`;
  const init = await cli(['pool', 'init', url]);
  oneSentence(init, new RegExp(`127\\.0\\.0\\.1:${port}.*cannot be reached`));
  assert.doesNotMatch(init.stderr, /s3cret-pw/);
  const migrate = await cli(['--data', join(tmp.dir, 'node-unreachable'), '--pool', url, 'pool', 'migrate', '--from', source]);
  oneSentence(migrate, new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(migrate.stderr, /s3cret-pw/);
});

test('pool migrate and pool init without a pool say what to do', { skip }, async () => {
  const r = await cli(['--data', join(tmp.dir, 'node-nopool'), 'pool', 'migrate', '--from', source], { env: { UCUPDATES_POOL: '' } });
  oneSentence(r, /ucupdates --pool postgres:\/\/\S+ pool migrate --from .*UCUPDATES_POOL/);
  const init = await cli(['--data', join(tmp.dir, 'node-nopool'), 'pool', 'init'], { env: { UCUPDATES_POOL: '' } });
  oneSentence(init, /ucupdates pool init postgres:\/\/\S+ .*UCUPDATES_POOL/);
});

test('pool migrate from a folder that holds no store is refused and copies nothing', { skip }, async () => {
  const url = cluster.createDatabase('no_store');
  const missing = join(tmp.dir, 'no-such-folder');
  const r = await cli(['--data', join(tmp.dir, 'node-nostore'), '--pool', url, 'pool', 'migrate', '--from', missing]);
  oneSentence(r, /no ucupdates store/);
  assert.deepEqual(emptyExceptSchemaVersion(await rowCounts(url)), []);
  assert.equal((await readdir(tmp.dir)).includes('no-such-folder'), false, 'the named folder is not created');
});

test('pool migrate moves the embedded store: a node on the pool answers phones and lists the store as the embedded server did', { skip }, async (t) => {
  const r = await cli(['--data', join(tmp.dir, 'node-migrate'), '--pool', cluster.url, 'pool', 'migrate', '--from', source]);
  t.diagnostic(r.stdout.trim());
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^Moved .* into the pool at postgres:\/\/ucupdates@127\.0\.0\.1:\d+\/ucupdates: \d+ image file\(s\)/);
  assert.match(r.stdout, /rules \d+/);
  assert.equal(r.stderr, '', 'no progress lines when stderr is not a terminal');
  const node = await startTestServer(join(tmp.dir, 'node-a'), { pool: cluster.url });
  try {
    const lists = await listsOf(node.store);
    assert.deepEqual(lists.rules, embedded.lists.rules);
    assert.deepEqual(lists.interim, embedded.lists.interim);
    assert.deepEqual(lists.testDevices, embedded.lists.testDevices);
    assert.deepEqual(lists.settings, embedded.lists.settings);
    assert.deepEqual(lists.history, embedded.lists.history);
    assert.deepEqual(lists.devices, embedded.lists.devices);
    // The same phones get the same answers and the same files (the node fetches the images from the pool).
    for (const [name, p] of Object.entries(PHONES)) assert.deepEqual(await answerOf(node, p), embedded.answers[name], `the ${name} phone's answer`);
    const counts = await rowCounts(cluster.url);
    assert.ok(counts.seen_days! > 0 && counts.device_logs === 1 && counts.sessions !== undefined, JSON.stringify(counts));
    // The migrated admin signs in against the pool node.
    const session = await fetch(`${node.urls.admin}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password-1' }),
    });
    assert.equal(session.status, 200, await session.text());
    // New ids follow the copied ones.
    const added = await addTestDevice(node.store, { name: 'after the move', mac: '0004F2AA0099' }, 'test');
    assert.ok(embedded.lists.testDevices.every((d) => d.id < added.id), `new test device id ${added.id}`);
    const history = await node.store.history.list(2);
    assert.ok(history[0]!.id > embedded.lists.history[0]!.id, 'a new history entry continues the ids');
  } finally {
    await node.close();
  }
});

test('pool migrate into a pool in use is refused and changes nothing', { skip }, async () => {
  const before = await rowCounts(cluster.url);
  const r = await cli(['--data', join(tmp.dir, 'node-again'), '--pool', cluster.url, 'pool', 'migrate', '--from', source]);
  oneSentence(r, /in use/);
  assert.deepEqual(await rowCounts(cluster.url), before);
});

test('pool migrate from a data folder a server runs on is refused in words', { skip }, async () => {
  const url = cluster.createDatabase('while_serving');
  const busy = join(tmp.dir, 'busy');
  await cp(source, busy, { recursive: true });
  const server = await startTestServer(busy);
  try {
    const r = await cli(['--data', join(tmp.dir, 'node-busy'), '--pool', url, 'pool', 'migrate', '--from', busy]);
    oneSentence(r, /server .*is running on .*stop it/i);
    assert.deepEqual(emptyExceptSchemaVersion(await rowCounts(url)), []);
  } finally {
    await server.close();
  }
});

test('a migration that fails half way (the pool lacks a column) leaves the pool empty', { skip }, async () => {
  const url = cluster.createDatabase('lacks_column');
  assert.equal((await cli(['pool', 'init', url])).code, 0);
  await sql(url, 'ALTER TABLE devices DROP COLUMN last_seen');
  const r = await cli(['--data', join(tmp.dir, 'node-broken'), '--pool', url, 'pool', 'migrate', '--from', source]);
  oneSentence(r, /devices table has no column last_seen/);
  assert.deepEqual(emptyExceptSchemaVersion(await rowCounts(url)), [], 'no row in any table, images included');
});

test('a damaged image in the source folder is refused and nothing is copied', { skip }, async () => {
  const url = cluster.createDatabase('damaged_blob');
  const damaged = join(tmp.dir, 'damaged');
  await cp(source, damaged, { recursive: true });
  const prefixes = (await readdir(join(damaged, 'files'))).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort();
  const last = prefixes.at(-1)!; // the last one: images before it would be copied first
  const sha = (await readdir(join(damaged, 'files', last))).find((f) => /^[0-9a-f]{64}$/.test(f))!;
  await writeFile(join(damaged, 'files', last, sha), 'not the image any more');
  const r = await cli(['--data', join(tmp.dir, 'node-damaged'), '--pool', url, 'pool', 'migrate', '--from', damaged]);
  oneSentence(r, new RegExp(`image file ${sha} .*damaged`));
  assert.deepEqual(emptyExceptSchemaVersion(await rowCounts(url)), [], 'no row in any table, images included');
});

test('an image file missing from the source folder is refused by name and nothing is copied', { skip }, async () => {
  const url = cluster.createDatabase('missing_blob');
  const missing = join(tmp.dir, 'missing');
  await cp(source, missing, { recursive: true });
  const prefix = (await readdir(join(missing, 'files'))).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort()[0]!;
  const sha = (await readdir(join(missing, 'files', prefix))).find((f) => /^[0-9a-f]{64}$/.test(f))!;
  await rm(join(missing, 'files', prefix, sha));
  const r = await cli(['--data', join(tmp.dir, 'node-missing'), '--pool', url, 'pool', 'migrate', '--from', missing]);
  oneSentence(r, new RegExp(`image file ${sha} is missing from .*nothing was moved`));
  assert.deepEqual(emptyExceptSchemaVersion(await rowCounts(url)), []);
});

test('--help of the pool commands says what they do and what they need', { skip }, async () => {
  const top = await cli(['pool', '--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /init \[url\]/);
  assert.match(top.stdout, /migrate \[options\]/);
  const migrate = await cli(['pool', 'migrate', '--help']);
  assert.match(migrate.stdout, /--from <dir>/);
  assert.match(migrate.stdout, /--pool/);
  assert.match(migrate.stdout, /Example:\n  ucupdates --pool postgres:\/\/\S+ pool migrate --from /);
  const init = await cli(['pool', 'init', '--help']);
  assert.match(init.stdout, /Example:\n  ucupdates pool init postgres:\/\//);
});
