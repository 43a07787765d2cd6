// The `ucupdates` command, run as a child process (cli-process.ts), against data folders in temp: exit codes, words
// on stdout/stderr, and what the store holds afterwards.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { HistoryDto, RuleDto, TestDeviceDto } from '../../src/shared/admin-api.js';
import { startServer, type RunningServer } from '../../src/server/compose.js';
import { Store, storePaths } from '../../src/server/app/store.js';
import { AUDIT_HEADER } from '../../src/server/domain/audit-format.js';
import { SEED_LINES } from '../fixtures/audit-lines.js';
import { eventually } from '../helpers.js';
import { cli, type Run } from './cli-process.js';
import { image, MULTI_IMAGES, multiDevicePackage, newerPackage, olderPackage, truncatedCab, writeFiles } from '../fixtures/cabs.js';

const ACTOR = `cli:${userInfo().username}`;
const CX600 = 'UCPhone/Polycom/CX600/A/ENU/CPE';

/** Runs and asserts the exit code, showing the output when it differs. */
async function expectExit(code: number, args: string[], opts: { data?: string; input?: string } = {}): Promise<Run> {
  const r = await cli(args, opts);
  assert.equal(r.code, code, `ucupdates ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const jsonOf = <T>(r: Run): T => JSON.parse(r.stdout) as T;

/** Reads the store in this process (faster than another CLI run) to check what a command left behind. */
async function inStore<T>(data: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = new Store(data);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
const rulesIn = (data: string) => inStore(data, (s) => s.rules.list());

let tmp: string;
let cabs: { multi: string; older: string; newer: string; truncated: string };

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ucu-cli-'));
  const [multi, older, newer, truncated] = await Promise.all([
    multiDevicePackage(join(tmp, 'cabs', 'multi')),
    olderPackage(join(tmp, 'cabs', 'older')),
    newerPackage(join(tmp, 'cabs', 'newer')),
    truncatedCab(join(tmp, 'cabs', 'truncated')),
  ]);
  cabs = { multi, older, newer, truncated };
});

after(() => rm(tmp, { recursive: true, force: true }));

// The groups use their own data folders: they run side by side, each one's tests in order.
describe('ucupdates CLI', { concurrency: true }, () => {
  describe('help and usage', { concurrency: 1 }, () => {
    it('prints help for the program and for a command, exit 0', async () => {
      const top = await expectExit(0, ['--help']);
      assert.match(top.stdout, /Usage: ucupdates/);
      for (const cmd of ['import', 'approve', 'test-devices', 'settings', 'simulate']) assert.match(top.stdout, new RegExp(`\\n\\s+${cmd}\\b`));
      const imp = await expectExit(0, ['import', '--help']);
      assert.match(imp.stdout, /Usage: ucupdates import \[options\] <file>/);
      assert.match(imp.stdout, /--interim/);
      const add = await expectExit(0, ['test-devices', 'add', '--help']);
      assert.match(add.stdout, /--mac <mac>/);
    });

    it('answers an unknown command with exit 2 and says so', async () => {
      const r = await expectExit(2, ['frobnicate', '--data', join(tmp, 'unused')]);
      assert.match(r.stderr, /unknown command 'frobnicate'/);
    });

    it('answers a missing required option with exit 2', async () => {
      const r = await expectExit(2, ['test-devices', 'add', '--mac', '001122334455'], { data: join(tmp, 'unused') });
      assert.match(r.stderr, /--name/);
    });
  });

  describe('import, rules, approve, reject, rollback', { concurrency: 1 }, () => {
    let data: string;
    let rules: RuleDto[];
    before(async () => {
      data = join(tmp, 'data-rules');
    });

    it('refuses a truncated cab: exit 5, a sentence on stderr, the store unchanged', async () => {
      const r = await expectExit(5, ['import', cabs.truncated], { data });
      assert.match(r.stderr, /^ucupdates: \S.*\S/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
      assert.deepEqual(jsonOf((await expectExit(0, ['rules', '--json'], { data }))), []);
      assert.deepEqual(await inStore(data, async (s) => await s.history.list(10)), []);
      assert.deepEqual(await readdir(storePaths(data).stagingDir), []);
      assert.deepEqual(await readdir(storePaths(data).blobDir), []);
    });

    it('answers a file that does not exist with exit 3', async () => {
      const missing = join(tmp, 'no-such.cab');
      const r = await expectExit(3, ['import', missing], { data });
      assert.ok(r.stderr.includes(missing), r.stderr);
    });

    it('imports a cab: each image printed as pending', async () => {
      const r = await expectExit(0, ['import', cabs.multi], { data });
      const lines = r.stdout.trim().split('\n');
      const expected = MULTI_IMAGES.map((f) => {
        const p = f.split('/');
        return `${[...p.slice(0, 5), p[6]].join('/')} ${p[5]}: pending`;
      });
      assert.deepEqual([...lines].sort(), [...expected].sort());
    });

    it('importing the same cab again says nothing changed', async () => {
      const r = await expectExit(0, ['import', cabs.multi], { data });
      assert.match(r.stdout, /imported before .*nothing changed/);
      assert.doesNotMatch(r.stdout, /: pending/);
    });

    it('lists the rules as JSON and as a table', async () => {
      rules = jsonOf<RuleDto[]>(await expectExit(0, ['rules', '--json'], { data }));
      assert.equal(rules.length, 4);
      for (const rule of rules) {
        assert.equal(typeof rule.id, 'number');
        assert.equal(rule.approved, null);
        assert.ok(rule.pending);
      }
      const cx600 = rules.find((r) => r.model === 'CX600')!;
      assert.equal(cx600.pending, '4.0.7577.4366');
      const table = await expectExit(0, ['rules'], { data });
      assert.match(table.stdout, /^id\s+rule\s+approved\s+pending\s+restore/);
      assert.match(table.stdout, new RegExp(`\\n${cx600.id}\\s+${CX600.replace(/\//g, '\\/')}\\s+-\\s+4\\.0\\.7577\\.4366`));
      assert.equal(jsonOf<RuleDto[]>(await expectExit(0, ['rules', '--pending', '--json'], { data })).length, 4);
    });

    it('approves a rule named by its path', async () => {
      const r = await expectExit(0, ['approve', CX600.toLowerCase()], { data });
      assert.match(r.stdout, /UCPhone\/Polycom\/CX600\/A\/ENU\/CPE: phones get 4\.0\.7577\.4366\./);
      assert.match(r.stdout, /Done: 1 rule\(s\)\./);
      const now = await rulesIn(data);
      const cx600 = now.find((x) => x.model === 'CX600')!;
      assert.equal(cx600.approved, '4.0.7577.4366');
      assert.equal(cx600.pending, null);
      assert.equal(now.filter((x) => x.approved === null).length, 3, 'only that rule');
    });

    it('refuses an unknown rule path (exit 3) and no selection (exit 2), changing nothing', async () => {
      const r = await expectExit(3, ['approve', 'UCPhone/Polycom/CX999/A/ENU/CPE'], { data });
      assert.match(r.stderr, /No rule "UCPhone\/Polycom\/CX999\/A\/ENU\/CPE"/);
      await expectExit(3, ['approve', '99999'], { data });
      const none = await expectExit(2, ['approve'], { data });
      assert.match(none.stderr, /--all/);
      assert.equal((await rulesIn(data)).filter((x) => x.pending).length, 3);
    });

    it('approve --dry-run says what would happen and changes nothing', async () => {
      const r = await expectExit(0, ['approve', '--all', '--dry-run'], { data });
      assert.equal(r.stdout.trim().split('\n').length, 3);
      assert.doesNotMatch(r.stdout, /Done/);
      assert.equal((await rulesIn(data)).filter((x) => x.pending).length, 3);
    });

    it('approve --all approves every pending rule', async () => {
      const r = await expectExit(0, ['approve', '--all'], { data });
      assert.match(r.stdout, /Done: 3 rule\(s\)\./);
      const now = await rulesIn(data);
      assert.ok(now.every((x) => x.approved !== null && x.pending === null));
      const again = await expectExit(4, ['approve', '--all'], { data });
      assert.match(again.stderr, /No rule has a pending version/);
    });

    it('will not approve an older version without --force (exit 4, nothing changed); with --force it does', async () => {
      const imp = await expectExit(0, ['import', cabs.older], { data });
      assert.match(imp.stdout, /UCPhone\/Polycom\/CX600\/A\/ENU\/CPE 4\.0\.7577\.4363: pending/);
      assert.match(imp.stdout, /warning: .*older than the approved 4\.0\.7577\.4366/);

      const refused = await expectExit(4, ['approve', CX600], { data });
      assert.match(refused.stdout, /warning: 4\.0\.7577\.4363 is older than the approved 4\.0\.7577\.4366/);
      assert.match(refused.stderr, /Nothing changed: add --force/);
      let cx600 = (await rulesIn(data)).find((x) => x.model === 'CX600')!;
      assert.deepEqual([cx600.approved, cx600.pending, cx600.restore], ['4.0.7577.4366', '4.0.7577.4363', null]);

      const forced = await expectExit(0, ['approve', String(cx600.id), '--force'], { data });
      assert.match(forced.stdout, /Done: 1 rule\(s\)\./);
      cx600 = (await rulesIn(data)).find((x) => x.model === 'CX600')!;
      assert.deepEqual([cx600.approved, cx600.pending, cx600.restore], ['4.0.7577.4363', null, '4.0.7577.4366']);
    });

    it('rolls back to the previously approved version', async () => {
      const id = rules.find((x) => x.model === 'CX600')!.id;
      const r = await expectExit(0, ['rollback', String(id)], { data });
      assert.match(r.stdout, /phones go from 4\.0\.7577\.4363 back to 4\.0\.7577\.4366/);
      const cx600 = (await rulesIn(data)).find((x) => x.id === id)!;
      assert.deepEqual([cx600.approved, cx600.pending, cx600.restore], ['4.0.7577.4366', null, null]);
      const again = await expectExit(4, ['rollback', String(id)], { data });
      assert.match(again.stderr, /no earlier approved version/);
    });

    it('rejects a pending version', async () => {
      await expectExit(0, ['import', cabs.newer], { data });
      const id = rules.find((x) => x.model === 'CX600')!.id;
      let cx600 = (await rulesIn(data)).find((x) => x.id === id)!;
      assert.equal(cx600.pending, '4.0.7577.4387');
      const r = await expectExit(0, ['reject', CX600], { data });
      assert.match(r.stdout, /pending 4\.0\.7577\.4387 is rejected/);
      cx600 = (await rulesIn(data)).find((x) => x.id === id)!;
      assert.deepEqual([cx600.approved, cx600.pending], ['4.0.7577.4366', null]);
      const again = await expectExit(4, ['reject', CX600], { data });
      assert.match(again.stderr, /no pending version to reject/);
    });

    it('history shows each action with the actor cli:<user>, newest first', async () => {
      const h = jsonOf<HistoryDto[]>(await expectExit(0, ['history', '--json', '--limit', '100'], { data }));
      assert.ok(h.every((e) => e.actor === ACTOR), JSON.stringify(h.map((e) => e.actor)));
      assert.deepEqual(
        h.map((e) => e.action).reverse(),
        ['import-package', 'approve', 'approve', 'approve', 'approve', 'import-package', 'approve', 'rollback', 'import-package', 'reject'],
      );
      assert.equal(h[0]!.target, CX600);
      const table = await expectExit(0, ['history', '--limit', '2'], { data });
      assert.equal(table.stdout.trim().split('\n').length, 4, 'header, rule and two entries');
      // The versions each entry is about: what a rule action changed, what a package brought.
      const all = (await expectExit(0, ['history', '--limit', '100'], { data })).stdout.split('\n');
      assert.match(all[0]!, /\sversions$/);
      assert.match(all.find((l) => /\sreject\s/.test(l))!, /\spending 4\.0\.7577\.4387 -> none$/);
      assert.match(all.find((l) => /\srollback\s/.test(l))!, /\sapproved 4\.0\.7577\.4363 -> 4\.0\.7577\.4366; restore 4\.0\.7577\.4366 -> none$/);
      assert.match(all.find((l) => /\simport-package\s+UCUpdates\.cab\s/.test(l))!, /\s3\.5\.6907\.0, 4\.0\.7577\.4366$|\s4\.0\.7577\.4366, 3\.5\.6907\.0$/);
    });

    it('purge says what it would remove; with --yes it removes it, and a second run finds nothing', async () => {
      const dry = await expectExit(0, ['purge'], { data });
      assert.match(dry.stdout, /UCUpdates-older\.cab .*No rule uses 4\.0\.7577\.4363 any more\./);
      assert.match(dry.stdout, /UCUpdates-newer\.cab .*No rule uses 4\.0\.7577\.4387 any more\./);
      assert.match(dry.stdout, /Purging these 2 package\(s\) frees \d+\.\d MB\. Run again with --yes to purge\./);
      assert.equal(await inStore(data, async (s) => (await s.packages.list()).length), 3, 'nothing removed without --yes');
      const done = await expectExit(0, ['purge', '--yes'], { data });
      assert.match(done.stdout, /^Purged 2 package\(s\): 4 file\(s\), \d+\.\d MB freed\.$/m);
      assert.deepEqual(await inStore(data, async (s) => (await s.packages.list()).map((p) => p.fileName)), ['UCUpdates.cab']);
      assert.equal(await inStore(data, async (s) => (await s.history.list(1))[0]!.actor), ACTOR);
      const again = await expectExit(0, ['purge', '--yes'], { data });
      assert.match(again.stdout, /^Nothing to purge/);
    });
  });

  describe('test devices, settings, admins', { concurrency: 1 }, () => {
    let data: string;
    before(() => {
      data = join(tmp, 'data-misc');
    });

    it('refuses a test device with an invalid MAC (exit 2) with the message', async () => {
      const r = await expectExit(2, ['test-devices', 'add', '--name', 'x', '--mac', 'zz'], { data });
      assert.match(r.stderr, /"zz" is not a MAC address/);
      assert.deepEqual(await inStore(data, async (s) => await s.testDevices.list()), []);
    });

    it('adds, lists, edits and removes test devices', async () => {
      const add = await expectExit(0, ['test-devices', 'add', '--name', 'Desk 12', '--mac', '00-21-63-0f-20-7b'], { data });
      assert.match(add.stdout, /Added test device 1: Desk 12 \(00-21-63-0F-20-7B\)\./, 'in the default notation (macNotation dashes)');
      const dup = await expectExit(4, ['test-devices', 'add', '--name', 'Desk 13', '--mac', '0021630F207B'], { data });
      assert.match(dup.stderr, /Desk 12/);
      await expectExit(0, ['test-devices', 'add', '--name', 'Lab', '--serial', 'C185H001209'], { data });
      const list = jsonOf<TestDeviceDto[]>(await expectExit(0, ['test-devices', 'list', '--json'], { data }));
      assert.deepEqual(
        list.map((d) => [d.id, d.name, d.mac, d.serial]),
        [
          [1, 'Desk 12', '0021630F207B', null],
          [2, 'Lab', null, 'C185H001209'],
        ],
      );
      const table = await expectExit(0, ['test-devices'], { data });
      assert.match(table.stdout, /\n1\s+Desk 12\s+00-21-63-0F-20-7B\s+-/);

      const edit = await expectExit(0, ['test-devices', 'edit', '1', '--name', 'Desk 12b', '--mac', '00:21:63:0f:20:7c'], { data });
      assert.match(edit.stdout, /Test device 1 is now Desk 12b \(00-21-63-0F-20-7C\)\./);
      // Options left out keep their values: renaming a device known by its serial keeps the serial.
      const rename = await expectExit(0, ['test-devices', 'edit', '2', '--name', 'Lab 2'], { data });
      assert.match(rename.stdout, /Test device 2 is now Lab 2 \(C185H001209\)\./);
      assert.equal(await inStore(data, async (s) => (await s.testDevices.get(2))?.serial), 'C185H001209');
      await expectExit(3, ['test-devices', 'edit', '9', '--name', 'Nobody'], { data });
      await expectExit(0, ['test-devices', 'remove', '2'], { data });
      assert.deepEqual(
        (await inStore(data, async (s) => await s.testDevices.list())).map((d) => [d.id, d.name, d.mac]),
        [[1, 'Desk 12b', '0021630F207C']],
      );
      const gone = await expectExit(3, ['test-devices', 'remove', '2'], { data });
      assert.match(gone.stderr, /no test device with id 2/);
      await expectExit(2, ['test-devices', 'remove', 'abc'], { data });
    });

    it('refuses an invalid setting value or key (exit 2), changing nothing', async () => {
      const r = await expectExit(2, ['settings', 'set', 'httpPort', '99999'], { data });
      assert.match(r.stderr, /httpPort/);
      const u = await expectExit(2, ['settings', 'set', 'nope', '1'], { data });
      assert.match(u.stderr, /Unknown setting "nope"/);
      await expectExit(2, ['settings', 'get', 'nope'], { data });
      const proto = await expectExit(2, ['settings', 'get', 'constructor'], { data });
      assert.match(proto.stderr, /Unknown setting "constructor"/);
      assert.deepEqual(jsonOf(await expectExit(0, ['settings', 'get', 'httpPort', '--json'], { data })), { httpPort: 80 });
    });

    it('sets a setting and reads it back', async () => {
      const r = await expectExit(0, ['settings', 'set', 'externalUrl', 'https://ext.contoso.com'], { data });
      assert.match(r.stdout, /^externalUrl = "https:\/\/ext\.contoso\.com"/);
      assert.deepEqual(jsonOf(await expectExit(0, ['settings', 'get', 'externalUrl', '--json'], { data })), {
        externalUrl: 'https://ext.contoso.com',
      });
      await expectExit(0, ['settings', 'set', 'httpPort', '8080'], { data });
      assert.equal(await inStore(data, async (s) => (await s.settings.read()).httpPort), 8080);
      const all = await expectExit(0, ['settings'], { data });
      assert.match(all.stdout, /^httpPort = 8080$/m);
      assert.match(all.stdout, /^externalUrl = "https:\/\/ext\.contoso\.com"$/m);
    });

    it('sets several settings together; a certificate without its key is refused (exit 2), changing nothing', async () => {
      await expectExit(0, ['settings', 'set', 'deviceStuckHours', '36', 'deviceSilentDays', '9'], { data });
      assert.deepEqual(await inStore(data, async (s) => [(await s.settings.read()).deviceStuckHours, (await s.settings.read()).deviceSilentDays]), [36, 9]);
      const odd = await expectExit(2, ['settings', 'set', 'deviceStuckHours', '1', 'deviceSilentDays'], { data });
      assert.match(odd.stderr, /"deviceSilentDays" has no value/);
      const half = await expectExit(2, ['settings', 'set', 'tlsCertFile', join(tmp, 'cert.pem')], { data });
      assert.equal(half.stderr, 'ucupdates: tlsCertFile is set without tlsKeyFile: set both (PEM), or tlsPfxFile instead.\n');
      assert.equal(await inStore(data, async (s) => (await s.settings.read()).tlsCertFile), '');
    });

    it('adds admin accounts with the password read from standard input', async () => {
      const short = await expectExit(2, ['admins', 'add', 'alice'], { data, input: 'short\n' });
      assert.match(short.stderr, /at least 10 characters/);
      assert.deepEqual(await inStore(data, async (s) => await s.admins.list()), []);
      const ok = await expectExit(0, ['admins', 'add', 'alice'], { data, input: 'correct horse battery\n' });
      assert.match(ok.stdout, /Account alice \(admin\) saved\./);
      await expectExit(0, ['admins', 'add', 'victor', '--role', 'viewer'], { data, input: 'another long password\n' });
      await expectExit(2, ['admins', 'add', 'eve', '--role', 'root'], { data, input: 'another long password\n' });
      const list = await expectExit(0, ['admins', 'list'], { data });
      assert.match(list.stdout, /\nalice\s+admin\s/);
      assert.match(list.stdout, /\nvictor\s+viewer\s/);
      assert.doesNotMatch(list.stdout, /eve/);
      assert.doesNotMatch(list.stdout, /scrypt|correct horse/, 'no password material');
    });

    it('history shows these changes with the actor cli:<user>', async () => {
      const h = jsonOf<HistoryDto[]>(await expectExit(0, ['history', '--json'], { data }));
      assert.ok(h.every((e) => e.actor === ACTOR));
      assert.deepEqual(
        h.map((e) => `${e.action} ${e.target}`).reverse(),
        [
          'add-test-device Desk 12',
          'add-test-device Lab',
          'edit-test-device Desk 12b',
          'edit-test-device Lab 2',
          'remove-test-device Lab 2',
          'change-settings externalUrl',
          'change-settings httpPort',
          'change-settings deviceStuckHours, deviceSilentDays',
          'add-admin alice',
          'add-admin victor',
        ],
      );
    });
  });

  describe('troubleshooting', { concurrency: 1 }, () => {
    it('decode says what a phone status means and what to do; nonsense is exit 2', async () => {
      const r = await expectExit(0, ['decode', '0x2f7d/200']);
      assert.match(r.stdout, /^0x2f7d\/200\n  0x2f7d ERROR_INTERNET_SECURITY_CHANNEL_ERROR: .*\n    What to do: .*SHA-2/);
      assert.match(r.stdout, /  HTTP 200 OK: The update service answered\./);
      const json = jsonOf<{ ok: boolean; error: { code: number } }>(await expectExit(0, ['decode', '12002', '--json']));
      assert.deepEqual([json.ok, json.error.code], [true, 12002]);
      const bad = await expectExit(2, ['decode', 'hello']);
      assert.match(bad.stderr, /"hello" is not a status code/);
    });

    it('explain walks through the decision for a described phone; a bad MAC is exit 2', async () => {
      const data = join(tmp, 'data-explain');
      await expectExit(0, ['import', cabs.multi], { data });
      const r = await expectExit(0, ['explain', '--model', 'CX600', '--firmware', '4.0.7577.4000', '--mac', '00-21-63-0F-20-7B'], { data });
      assert.match(r.stdout, /^UCPhone\/Polycom\/CX600\/A, locale ENU, firmware 4\.0\.7577\.4000, MAC 00-21-63-0F-20-7B\n/);
      assert.match(r.stdout, /^note: Assumed vendor Polycom/m);
      assert.match(r.stdout, /^- The phone is not a test device/m);
      assert.match(r.stdout, /^- Rule UCPhone\/Polycom\/CX600\/A\/ENU\/CPE: version 4\.0\.7577\.4366 is pending, not approved/m);
      assert.match(r.stdout, /^Nothing is offered \(pending-not-test-device\)\.$/m);
      await expectExit(0, ['approve', CX600], { data });
      const json = jsonOf<{ offered: { version: string; baseUrl: string } }>(await expectExit(0, ['explain', '--model', 'CX600', '--firmware', '4.0.7577.4000', '--json'], { data }));
      assert.equal(json.offered.version, '4.0.7577.4366');
      assert.match(json.offered.baseUrl, /^http:\/\/[^/]+\/DeviceUpdateFiles_Int\/UCPhone\/Polycom\/CX600\/A\/ENU\/4\.0\.7577\.4366\/CPE$/);
      // No server runs: the URLs of a phone reaching the HTTP listener serve would open (the setting's port).
      await expectExit(0, ['settings', 'set', 'httpPort', '18080'], { data });
      const offline = await expectExit(0, ['explain', '--model', 'CX600', '--firmware', '4.0.7577.4000'], { data });
      assert.match(offline.stdout, /^Offered: 4\.0\.7577\.4366 from http:\/\/localhost:18080\/DeviceUpdateFiles_Int\/UCPhone\/Polycom\/CX600\/A\/ENU\/4\.0\.7577\.4366\/CPE \(external: http:\/\/localhost:18080\/DeviceUpdateFiles_Int\//m);
      const bad = await expectExit(2, ['explain', '--model', 'CX600', '--mac', 'nope'], { data });
      assert.match(bad.stderr, /"nope" is not a MAC address/);
      // MACs are printed in the admin's notation (macNotation); JSON keeps the stored 12 digits.
      await expectExit(0, ['settings', 'set', 'macNotation', 'colons'], { data });
      const colons = await expectExit(0, ['explain', '--model', 'CX600', '--mac', '0021630F207B'], { data });
      assert.match(colons.stdout, /, MAC 00:21:63:0f:20:7b\n/);
      assert.equal(jsonOf<{ phone: { mac: string } }>(await expectExit(0, ['explain', '--model', 'CX600', '--mac', '00:21:63:0f:20:7b', '--json'], { data })).phone.mac, '0021630F207B');
    });
  });

  describe('simulate', { concurrency: 1 }, () => {
    let data: string;
    let server: RunningServer;
    before(async () => {
      data = join(tmp, 'data-simulate');
      server = await startServer({
        dataDir: data,
        overrides: { httpPort: 0, httpsPort: 0, adminPort: 0, adminHost: '127.0.0.1' },
        log: pino({ level: 'silent' }),
      });
    });
    after(() => server?.close());

    it('a test phone is offered the pending version and downloads it (HTTP 200); other phones get nothing', async () => {
      await expectExit(0, ['test-devices', 'add', '--name', 'Lab phone', '--mac', '00-11-22-33-44-55'], { data });
      await expectExit(0, ['import', cabs.multi], { data });
      const phone = ['--server', server.urls.http, '--model', 'CX600', '--firmware', '4.0.7577.4000'];

      const r = await expectExit(0, ['simulate', ...phone, '--mac', '001122334455', '--download'], { data });
      assert.match(r.stdout, /Last Update Status: 0x0\/200/);
      assert.match(r.stdout, /Offered: \S+ 4\.0\.7577\.4366 /);
      const downloads = r.stdout.split('\n').filter((l) => l.startsWith('Downloaded '));
      assert.ok(downloads.length >= 2, r.stdout);
      for (const d of downloads) assert.match(d, /: HTTP 200, [1-9]\d* bytes, sha256 [0-9a-f]{64}$/);

      const other = await expectExit(0, ['simulate', ...phone, '--mac', '00AABBCCDDEE'], { data });
      assert.match(other.stdout, /No update offered\./);
    });

    it('explain gives the URLs phones get: the running listener\'s, or what a phone the inventory knows was given', async () => {
      const port = new URL(server.urls.http).port;
      const folder = '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE';
      const phone = ['--model', 'CX600', '--firmware', '4.0.7577.4000'];
      const anyPhone = await expectExit(0, ['explain', ...phone, '--mac', '001122334455'], { data });
      assert.match(anyPhone.stdout, new RegExp(`^Offered: 4\\.0\\.7577\\.4366 from http://localhost:${port}${folder} `, 'm'));
      // The test phone checks in by the address, not by "localhost": explain then says what it was really given.
      const sim = await expectExit(0, ['simulate', '--server', `http://127.0.0.1:${port}`, ...phone, '--mac', '00-11-22-33-44-55'], { data });
      assert.match(sim.stdout, new RegExp(`from http://127\\.0\\.0\\.1:${port}${folder}$`, 'm'));
      await eventually(async () => assert.ok((await server.store.devices.findAll(['mac:001122334455'])).size));
      const known = await expectExit(0, ['explain', ...phone, '--mac', '001122334455'], { data });
      assert.match(known.stdout, new RegExp(`^Offered: 4\\.0\\.7577\\.4366 from http://127\\.0\\.0\\.1:${port}${folder} `, 'm'));
    });

    it('signin-link asks the running server for a one-time link that signs in once', async () => {
      const r = await expectExit(0, ['signin-link'], { data });
      const url = /^(http:\/\/\S+)\/#signin=(\S+)/.exec(r.stdout);
      assert.ok(url, r.stdout);
      const exchange = () => fetch(`${url[1]}/api/session/exchange`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: url[2] }) });
      assert.equal((await exchange()).status, 200);
      assert.equal((await exchange()).status, 401);
      const none = await cli(['signin-link'], { data: join(tmp, 'no-server-here') });
      assert.equal(none.code, 3);
      assert.match(none.stderr, /No ucupdates server is running/);
    });

    it('preflight checks the running server as phones meet it; failed checks are exit 4', async () => {
      const r = await expectExit(4, ['preflight', '--domain', 'example.invalid'], { data });
      assert.match(r.stdout, /^Pre-flight for example\.invalid:$/m);
      assert.match(r.stdout, /^FAIL  ucupdates-r2\.example\.invalid resolves to this server: .*does not resolve/m);
      assert.match(r.stdout, /^FAIL  Phones trust the certificate: It is self-signed/m);
      assert.match(r.stdout, /^      What to do: /m);
      assert.match(r.stderr, /check\(s\) failed\./);
      const bad = await expectExit(2, ['preflight', '--domain', 'not a domain'], { data });
      assert.match(bad.stderr, /domain: must be a DNS domain/);
      // Only addresses phones can reach, and the ports the listeners really use.
      const { http, https } = { http: new URL(server.urls.http).port, https: new URL(server.urls.https).port };
      const dnsAdvice = r.stdout.split('\n').filter((l) => l.includes('Create a DNS record'));
      assert.ok(dnsAdvice.length > 0);
      for (const l of dnsAdvice) assert.doesNotMatch(l, /127\.0\.0\.1|::1\b|fe80:/i);
      assert.match(r.stdout, new RegExp(`^WARN  Phones reach the standard ports: The phone listeners use HTTP on ${http} rather than 80 and HTTPS on ${https} rather than 443`, 'm'));
      assert.doesNotMatch(r.stdout, /port 80\b(?! to)/);
    });

    it('preflight without a running server checks what it can, with the ports serve would take', async () => {
      const idle = join(tmp, 'data-preflight-idle');
      await expectExit(0, ['settings', 'set', 'httpPort', '18080', 'httpsPort', '18443'], { data: idle });
      const r = await expectExit(4, ['preflight', '--domain', 'example.invalid'], { data: idle });
      assert.match(r.stdout, /^WARN  Phones reach the standard ports: The phone listeners use HTTP on 18080 rather than 80 and HTTPS on 18443 rather than 443/m);
      assert.match(r.stdout, /^WARN  The HTTPS certificate: No ucupdates server is running/m);
      for (const l of r.stdout.split('\n').filter((x) => x.includes('Create a DNS record'))) assert.doesNotMatch(l, /127\.0\.0\.1|::1\b|fe80:/i);
    });

    it('simulate refuses a MAC that is not one (exit 2, a sentence), sending nothing', async () => {
      const r = await expectExit(2, ['simulate', '--server', server.urls.http, '--mac', '12345'], { data });
      assert.equal(r.stderr, 'ucupdates: "12345" is not a MAC address: give 12 hexadecimal digits, e.g. 0021630F207B or 00-21-63-0F-20-7B.\n');
      assert.equal(r.stdout, '');
    });

    it('answers exit 1 when no server listens', async () => {
      const r = await cli(['simulate', '--server', 'http://127.0.0.1:1', '--mac', '001122334455'], { data });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^ucupdates: /);
    });
  });

  describe('import-audit', { concurrency: 1 }, () => {
    it('imports audit logs, one summary line per file; a file that is not one is refused (exit 5), the others imported', async () => {
      const data = join(tmp, 'data-audit');
      const log = join(tmp, 'RequestHandlerAuditLog_ocs_06032009.log');
      const notes = join(tmp, 'notes.txt');
      await writeFile(log, [AUDIT_HEADER, SEED_LINES.nothing, SEED_LINES.interim, 'garbage', SEED_LINES.german].join('\r\n'));
      await writeFile(notes, 'not an audit log\n');
      const r = await expectExit(5, ['import-audit', notes, log], { data });
      assert.deepEqual(r.stdout.trim().split('\n'), [
        'notes.txt: refused: notes.txt is not a Lync/OCS request audit log (RequestHandlerAuditLog_*.log): no line of it is an update check (line 1: expected 13 fields, found 1).',
        'RequestHandlerAuditLog_ocs_06032009.log: 5 lines, 3 checks imported, 2 new phones, 1 skipped, 1 unreadable (first: line 4: expected 13 fields, found 1)',
      ]);
      assert.equal(r.stderr, 'ucupdates: 1 of 2 file(s) refused: notes.txt.\n');
      assert.deepEqual(await inStore(data, async (s) => (await s.history.list(5)).map((h) => [h.action, h.target, h.actor])), [['import-audit-log', 'RequestHandlerAuditLog_ocs_06032009.log', ACTOR]]);
      const again = await expectExit(0, ['import-audit', log], { data });
      assert.equal(again.stdout, 'RequestHandlerAuditLog_ocs_06032009.log: 5 lines, 0 checks imported, 0 new phones, 4 skipped, 1 unreadable (first: line 4: expected 13 fields, found 1)\n');
    });
  });

  describe('the interim image from a folder, with a running server', { concurrency: 1 }, () => {
    let data: string;
    let server: RunningServer;
    before(async () => {
      data = join(tmp, 'data-interim');
      server = await startServer({
        dataDir: data,
        overrides: { httpPort: 0, httpsPort: 0, adminPort: 0, adminHost: '127.0.0.1' },
        log: pino({ level: 'silent' }),
      });
    });
    after(() => server?.close());

    it('imports OCInterim/<Locale> copied from an old server; phones download it; `rules` shows it and the phones it serves', async () => {
      const int = await writeFiles(join(tmp, 'old-server', 'DeviceUpdateFiles_Int'), image('OCInterim/ENU'));
      await expectExit(0, ['import', cabs.multi], { data });
      await expectExit(0, ['approve', '--all'], { data });

      const r = await expectExit(0, ['import', '--interim', join(int, 'OCInterim', 'ENU')], { data });
      assert.equal(r.stdout, 'interim image ENU 1.0.522.103: stored\n');

      const phone = ['--server', server.urls.http, '--model', 'CX700', '--firmware', '1.0.522.73', '--download'];
      const enu = await expectExit(0, ['simulate', ...phone, '--mac', '0004F2000001'], { data });
      assert.match(enu.stdout, /Offered: CPE\.nbt 1\.0\.522\.103 .* from \S+\/DeviceUpdateFiles_Int\/OCInterim\/ENU$/m);
      const nbt = createHash('sha256').update(await readFile(join(int, 'OCInterim', 'ENU', 'CPE.nbt'))).digest('hex');
      assert.match(enu.stdout, new RegExp(`Downloaded \\S*CPE\\.nbt: HTTP 200, \\d+ bytes, sha256 ${nbt}$`, 'm'));
      const deu = await expectExit(0, ['simulate', ...phone, '--locale', 'DEU', '--mac', '0004F2000002'], { data });
      assert.match(deu.stdout, /No update offered\./);

      // The inventory is written by the server in the background: `rules` counts the phones once it is.
      const rules = await eventually(async () => {
        const out = (await expectExit(0, ['rules'], { data })).stdout;
        assert.match(out, /^ENU\s+1\.0\.522\.103\s+CPE\.cat \(\d+ KB\), CPE\.nbt \(\d+ KB\)\s+1\s+ENU$/m);
        return out;
      });
      assert.match(rules, /^Interim images \(build 1\.0\.522\.103, sent first to UCPhone phones at or below 1\.0\.522\.98\):$/m);
      assert.match(rules, /^missing: DEU: 1 phone\(s\) need the interim build and there is no interim image for DEU; /m);

      const again = await expectExit(0, ['import', '--interim', int], { data });
      assert.equal(again.stdout, `This package was imported before (package ${await inStore(data, async (s) => (await s.packages.listInterim())[0]!.packageId)}); nothing changed.\n`);
      const bad = await expectExit(5, ['import', '--interim', await writeFiles(join(tmp, 'bad-interim', 'OCInterim'), [{ path: 'ENU/CPE.nbt' }])], { data });
      assert.match(bad.stderr, /^ucupdates: This folder is not a valid interim image:\n- "OCInterim\/ENU\/CPE\.nbt" has no security catalog "CPE\.cat" beside it\.\n$/);
    });
  });
});
