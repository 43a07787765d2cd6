// `ucupdates`: the headless face of the update server, in the spirit of the Lync Device Update cmdlets.
// Each command is a thin call into src/server/app; the store is opened directly (the SQLite file is shared
// safely with a running server, which sees the change on its next request).
import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { parseSettingText, redactSettings, SETTING_KEYS, type SettingKey } from '../shared/settings.js';
import { AppError } from '../server/app/app-error.js';
import { setAdmin, removeAdmin } from '../server/app/admin-auth.js';
import { importPackage, type ImportKind } from '../server/app/import-package.js';
import { applyRuleAction, previewRuleAction } from '../server/app/rule-actions.js';
import { updateSettings } from '../server/app/settings.js';
import { Store, storePaths } from '../server/app/store.js';
import { addTestDevice, removeTestDevice, updateTestDevice } from '../server/app/test-devices.js';
import { startServer } from '../server/compose.js';
import { ruleKeyPath } from '../server/domain/device.js';
import type { RuleAction } from '../server/domain/rule-transitions.js';
import { resolveDataDir } from '../server/infra/data-dir.js';
import { readRunFile } from '../server/infra/run-file.js';
import { APP_VERSION } from '../server/version.js';
import { EXIT, reportError, table } from './output.js';
import { DEFAULT_PHONE, downloadOffer, httpRequest, simulateCheck, type SimulatedPhone } from './phone-simulator.js';

const actor = () => `cli:${userInfo().username}`;
const out = (text: string): void => void process.stdout.write(`${text}\n`);
const json = (value: unknown): void => out(JSON.stringify(value, null, 2));

export function buildProgram(): Command {
  const program = new Command('ucupdates')
    .description('Device Update Service for Microsoft Lync / OCS IP phones')
    .version(APP_VERSION)
    .addOption(new Option('--data <dir>', 'data folder (default: $UCUPDATES_DATA or the per-user app data folder)'))
    .showHelpAfterError()
    .exitOverride();

  const withStore = async <T>(fn: (store: Store) => T | Promise<T>): Promise<T> => {
    const store = new Store(resolveDataDir(program.opts().data as string | undefined));
    try {
      return await fn(store);
    } finally {
      store.close();
    }
  };

  program
    .command('serve')
    .description('run the update service (phone HTTP/HTTPS listeners, admin API and console) until stopped')
    .option('--http-port <n>', 'phone HTTP port (default: setting httpPort, 80)', toPort)
    .option('--https-port <n>', 'phone HTTPS port (default: setting httpsPort, 443)', toPort)
    .option('--admin-port <n>', 'admin console port (default: setting adminPort, 8090)', toPort)
    .option('--admin-host <addr>', 'admin console address (default: setting adminHost, 127.0.0.1)')
    .action(async (o: { httpPort?: number; httpsPort?: number; adminPort?: number; adminHost?: string }) => {
      const dataDir = resolveDataDir(program.opts().data as string | undefined);
      const overrides = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
      const server = await startServer({ dataDir, overrides });
      process.stdout.write(
        [
          `ucupdates ${APP_VERSION} is serving (data: ${dataDir})`,
          `  phones:  ${server.urls.http}/RequestHandler/ucdevice.upx  and  ${server.urls.https}/RequestHandler/ucdevice.upx`,
          `  console: ${server.urls.admin}`,
          `  sign in: ${server.signInLink()}   (one-time link, valid 15 minutes, from this machine)`,
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });

  program
    .command('signin-link')
    .description('print a new one-time sign-in link for the console of the server running on this machine')
    .action(async () => {
      const run = await readRunFile(storePaths(resolveDataDir(program.opts().data as string | undefined)).runFile);
      if (!run) throw new AppError('not_found', 'No ucupdates server is running with this data folder: start one with `ucupdates serve`.');
      const r = await httpRequest(new URL('/api/session/link', run.adminUrl).toString(), {
        method: 'POST',
        headers: { Authorization: `Bearer ${run.launchToken}` },
      });
      if (r.status !== 200) throw new AppError('internal', `The server refused: HTTP ${r.status} ${r.body.toString()}`);
      out(`${(JSON.parse(r.body.toString()) as { url: string }).url}   (one-time link, valid 15 minutes, from this machine)`);
    });

  program
    .command('import')
    .description('import UCUpdates.cab or the self-extracting UCUpdates.exe; new versions land as pending')
    .argument('<file>', 'the .cab or .exe package (with --tree: a DeviceUpdateFiles folder)')
    .option('--interim', 'the file holds the OCPE interim image (OCInterim/<Locale>/CPE.nbt and CPE.cat)')
    .option('--tree', 'import an existing Lync/OCS DeviceUpdateFiles (DeviceUpdateStore) folder tree')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, o: { interim?: boolean; tree?: boolean; json?: boolean }) => {
      const kind: ImportKind = o.tree ? 'tree' : o.interim ? 'interim' : 'package';
      const summary = await withStore((store) =>
        importPackage(store, file, {
          fileName: file.split(/[\\/]/).pop()!,
          actor: actor(),
          kind,
          onProgress: process.stderr.isTTY ? (phase, pct) => process.stderr.write(`\r${phase.padEnd(12)} ${String(Math.round(pct)).padStart(3)}%`) : undefined,
        }),
      );
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      if (o.json) return json(summary);
      if (summary.alreadyImported) {
        const relanded = summary.images.filter((i) => i.outcome === 'pending').length;
        out(`This package was imported before (package ${summary.packageId}); ${relanded ? `${relanded} version(s) are pending again.` : 'nothing changed.'}`);
      }
      for (const i of summary.images) out(`${i.rule} ${i.version}: ${i.outcome}`);
      for (const i of summary.interim) out(`interim image ${i.locale} ${i.version}: stored`);
      for (const w of summary.warnings) out(`warning: ${w}`);
    });

  program
    .command('rules')
    .description('list the update rules (Approved, Pending and Restore versions per device and locale)')
    .option('--json', 'print as JSON')
    .option('--pending', 'only rules with a pending version')
    .action(async (o: { json?: boolean; pending?: boolean }) => {
      const rules = await withStore((s) => s.rules.list().filter((r) => !o.pending || r.pending));
      if (o.json) return json(rules);
      if (rules.length === 0) return out('No rules yet: import a package with `ucupdates import UCUpdates.cab`.');
      out(table(rules.map((r) => ({ ...r, rule: ruleKeyPath(r) })), ['id', 'rule', 'approved', 'pending', 'restore']));
    });

  for (const [name, description] of [
    ['approve', 'approve the pending version of rules (old approved version kept for roll back)'],
    ['reject', 'reject the pending version of rules'],
    ['rollback', 'roll rules back to the previously approved version'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('[rules...]', 'rule ids or paths (DeviceType/Vendor/Model/Revision/Locale/UpdateType), as `ucupdates rules` lists them')
      .option('--all', name === 'rollback' ? 'every rule that can be rolled back' : 'every rule with a pending version')
      .option('--force', 'go ahead even when it downgrades phones')
      .option('--dry-run', 'say what would happen, change nothing')
      .action(async (selectors: string[], o: { all?: boolean; force?: boolean; dryRun?: boolean }) => {
        await withStore((store) => {
          const ids = selectRules(store, name, selectors, !!o.all);
          const plan = previewRuleAction(store, name, ids);
          const warnings = plan.flatMap((c) => c.warnings);
          for (const c of plan) out(c.summary);
          for (const w of warnings) out(`warning: ${w}`);
          if (o.dryRun) return;
          if (warnings.length > 0 && !o.force) throw new AppError('conflict', 'Nothing changed: add --force to go ahead despite the warnings.');
          applyRuleAction(store, name, ids, actor());
          out(`Done: ${plan.length} rule(s).`);
        });
      });
  }

  const td = program.command('test-devices').description('list, add, edit or remove test devices (they get pending versions)');
  td.command('list', { isDefault: true })
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await withStore((s) => s.testDevices.list());
      if (o.json) return json(list);
      if (list.length === 0) return out('No test devices: add one with `ucupdates test-devices add --name "Desk 12" --mac 00-21-63-0F-20-7B`.');
      out(table(list as never[], ['id', 'name', 'mac', 'serial', 'createdAt']));
    });
  td.command('add')
    .requiredOption('--name <name>', 'a friendly name')
    .option('--mac <mac>', 'MAC address (any of 0021630F207B, 00-21-63-0F-20-7B, 00:21:63:0f:20:7b)')
    .option('--serial <serial>', 'serial number')
    .action(async (o: { name: string; mac?: string; serial?: string }) => {
      const d = await withStore((s) => addTestDevice(s, o, actor()));
      out(`Added test device ${d.id}: ${d.name} (${[d.mac, d.serial].filter(Boolean).join(', ')}).`);
    });
  td.command('edit')
    .argument('<id>', 'the test device id', toId)
    .requiredOption('--name <name>')
    .option('--mac <mac>')
    .option('--serial <serial>')
    .action(async (id: number, o: { name: string; mac?: string; serial?: string }) => {
      // Options left out keep their value (an empty --mac '' or --serial '' clears it).
      const d = await withStore((s) => {
        const before = s.testDevices.get(id);
        return updateTestDevice(s, id, { name: o.name, mac: o.mac ?? before?.mac, serial: o.serial ?? before?.serial }, actor());
      });
      out(`Test device ${d.id} is now ${d.name} (${[d.mac, d.serial].filter(Boolean).join(', ')}).`);
    });
  td.command('remove')
    .argument('<id>', 'the test device id', toId)
    .action(async (id: number) => {
      const d = await withStore((s) => removeTestDevice(s, id, actor()));
      out(`Removed test device ${d.id}: ${d.name}.`);
    });

  const settings = program.command('settings').description('show or change settings');
  settings
    .command('get', { isDefault: true })
    .argument('[key]', `one of: ${SETTING_KEYS.join(', ')}`)
    .option('--json', 'print as JSON')
    .action(async (key: string | undefined, o: { json?: boolean }) => {
      const all = redactSettings(await withStore((s) => s.settings.read()));
      if (key !== undefined && !SETTING_KEYS.includes(key as SettingKey)) throw new AppError('invalid_input', `Unknown setting "${key}". Settings: ${SETTING_KEYS.join(', ')}.`);
      const shown = key ? { [key]: all[key as SettingKey] } : all;
      if (o.json) return json(shown);
      for (const [k, v] of Object.entries(shown)) out(`${k} = ${JSON.stringify(v)}`);
    });
  settings
    .command('set')
    .argument('<key>', 'the setting')
    .argument('<value>', 'its new value (lists: comma-separated)')
    .action(async (key: string, value: string) => {
      if (!SETTING_KEYS.includes(key as SettingKey)) throw new AppError('invalid_input', `Unknown setting "${key}". Settings: ${SETTING_KEYS.join(', ')}.`);
      const s = await withStore((store) => updateSettings(store, { [key]: parseSettingText(key as SettingKey, value) }, actor()));
      out(`${key} = ${JSON.stringify(s[key as SettingKey])}  (a running server applies it on its next request; ports and certificates on restart)`);
    });

  const admins = program.command('admins').description('admin accounts for the console and the admin API');
  admins.command('list', { isDefault: true }).action(async () => {
    const list = await withStore((s) => s.admins.list());
    out(list.length ? table(list as never[], ['username', 'role', 'createdAt']) : 'No admin accounts: add one with `ucupdates admins add <name>`.');
  });
  admins
    .command('add')
    .description('add an account or change its password/role; the password is read from standard input')
    .argument('<username>')
    .addOption(new Option('--role <role>', 'admin can change things, viewer can only look').choices(['admin', 'viewer']).default('admin'))
    .action(async (username: string, o: { role: 'admin' | 'viewer' }) => {
      const password = await readPassword();
      await withStore((s) => setAdmin(s, username, password, o.role, actor()));
      out(`Account ${username} (${o.role}) saved.`);
    });
  admins
    .command('remove')
    .argument('<username>')
    .action(async (username: string) => {
      await withStore((s) => removeAdmin(s, username, actor()));
      out(`Account ${username} removed.`);
    });

  program
    .command('history')
    .description('the admin action history, newest first')
    .option('--limit <n>', 'how many entries', toId, 50)
    .option('--json', 'print as JSON')
    .action(async (o: { limit: number; json?: boolean }) => {
      const list = await withStore((s) => s.history.list(o.limit));
      if (o.json) return json(list);
      out(table(list.map((h) => ({ ...h, details: JSON.stringify(h.details) })), ['at', 'actor', 'action', 'target']));
    });

  program
    .command('simulate')
    .description('act as a phone: send an update check to a server and, with --download, fetch what it offers')
    .option('--server <url>', 'the server', 'http://localhost')
    .option('--mac <mac>', 'MAC address', DEFAULT_PHONE.mac)
    .option('--serial <serial>', 'serial number', DEFAULT_PHONE.serial)
    .option('--device-type <type>', 'UCPhone or RoundTable', DEFAULT_PHONE.deviceType)
    .option('--vendor <vendor>', 'vendor', DEFAULT_PHONE.vendor)
    .option('--model <model>', 'model', DEFAULT_PHONE.model)
    .option('--revision <rev>', 'hardware revision', DEFAULT_PHONE.revision)
    .option('--locale <locale>', 'locale (ENU, DEU, ...)', DEFAULT_PHONE.locale)
    .option('--user <user>', 'signed-in user', DEFAULT_PHONE.userName)
    .option('--firmware <version>', 'installed CPE version', DEFAULT_PHONE.version)
    .option('--external', 'use the external endpoint (RequestHandlerExt) and ExternalBaseURL')
    .option('--download', 'download the offered files')
    .option('--insecure', 'accept a self-signed HTTPS certificate')
    .option('--raw', 'print the server\'s XML answer')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const phone: SimulatedPhone = {
        deviceType: String(o.deviceType),
        mac: String(o.mac),
        serial: String(o.serial),
        vendor: String(o.vendor),
        model: String(o.model),
        revision: String(o.revision),
        locale: String(o.locale),
        userName: String(o.user ?? ''),
        version: String(o.firmware),
      };
      const flags = { external: !!o.external, insecure: !!o.insecure };
      const r = await simulateCheck(String(o.server), phone, flags);
      if (o.raw || !r.response) out(r.raw);
      if (!r.response) throw new AppError('internal', `The server answered HTTP ${r.status}.`);
      const offered = r.response.files;
      out(`Last Update Status: 0x0/${r.status}`);
      out(`Locales on the server (LangList): ${r.response.langList.join('|') || '-'}`);
      if (offered.length === 0) return out('No update offered.');
      for (const f of offered) out(`Offered: ${f.fileName} ${f.version} (${f.timestamp}) from ${flags.external ? r.response.externalBaseUrl : r.response.baseUrl}`);
      if (!o.download) return;
      const files = await downloadOffer(r.response, flags);
      for (const f of files) out(`Downloaded ${f.url}: HTTP ${f.status}, ${f.size} bytes, sha256 ${f.sha256}`);
      if (files.some((f) => f.status !== 200)) throw new AppError('not_found', 'A file the server offered could not be downloaded.');
    });

  return program;
}

function selectRules(store: Store, action: RuleAction, selectors: string[], all: boolean): number[] {
  const rules = store.rules.list();
  if (all) {
    const ids = rules.filter((r) => (action === 'rollback' ? r.restore : r.pending)).map((r) => r.id);
    if (ids.length === 0) throw new AppError('conflict', action === 'rollback' ? 'No rule has an earlier version to roll back to.' : 'No rule has a pending version.');
    return ids;
  }
  if (selectors.length === 0) throw new AppError('invalid_input', 'Name the rules (ids or paths from `ucupdates rules`), or use --all.');
  return selectors.map((sel) => {
    if (/^\d+$/.test(sel)) return Number(sel);
    const rule = rules.find((r) => ruleKeyPath(r).toLowerCase() === sel.toLowerCase());
    if (!rule) throw new AppError('not_found', `No rule "${sel}": give an id or the path shown by \`ucupdates rules\`.`);
    return rule.id;
  });
}

function toPort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new AppError('invalid_input', `"${v}" is not a port number (0-65535).`);
  return n;
}

function toId(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new AppError('invalid_input', `"${v}" is not a positive whole number.`);
  return n;
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (at least 10 characters), then Enter: ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (process.stdin.isTTY && String(c).includes('\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT.usage;
    return reportError(e);
  }
}
