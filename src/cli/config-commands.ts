// Commands about the server's own configuration: test devices, settings and admin accounts. Use cases and the
// settings' schema (zod) are loaded by the command that needs them (dynamic import).
import { Argument, Option, type Command } from 'commander';
import type { TestDeviceDto } from '../shared/admin-api.js';
import { formatMac, type MacNotation } from '../shared/mac.js';
import type { SettingKey } from '../shared/settings.js';
import { AppError } from '../server/app/app-error.js';
import { toId, type CliContext } from './cli-context.js';
import { table } from './output.js';

export function configCommands(program: Command, cx: CliContext): void {
  const td = program.command('test-devices').description('list, add, edit or remove test devices (they get pending versions)');
  td.command('list', { isDefault: true })
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const [list, notation] = await cx.withStore(async (s) => [await s.testDevices.list(), (await s.settings.read()).macNotation] as const);
      if (o.json) return cx.json(list);
      if (list.length === 0) return cx.out('No test devices: add one with `ucupdates test-devices add --name "Desk 12" --mac 00-21-63-0F-20-7B`.');
      cx.out(table(list.map((d) => ({ ...d, mac: d.mac && formatMac(d.mac, notation) })), ['id', 'name', 'mac', 'serial', 'createdAt']));
    });
  td.command('add')
    .requiredOption('--name <name>', 'a friendly name')
    .option('--mac <mac>', 'MAC address (any of 0021630F207B, 00-21-63-0F-20-7B, 00:21:63:0f:20:7b)')
    .option('--serial <serial>', 'serial number')
    .action(async (o: { name: string; mac?: string; serial?: string }) => {
      const { addTestDevice } = await import('../server/app/test-devices.js');
      const [d, notation] = await cx.withStore(async (s) => [await addTestDevice(s, o, cx.actor()), (await s.settings.read()).macNotation] as const);
      cx.out(`Added test device ${d.id}: ${d.name} (${identified(d, notation)}).`);
    });
  td.command('edit')
    .argument('<id>', 'the test device id', toId)
    .requiredOption('--name <name>')
    .option('--mac <mac>')
    .option('--serial <serial>')
    .action(async (id: number, o: { name: string; mac?: string; serial?: string }) => {
      // Options left out keep their value (an empty --mac '' or --serial '' clears it).
      const { updateTestDevice } = await import('../server/app/test-devices.js');
      const [d, notation] = await cx.withStore(async (s) => {
        const before = await s.testDevices.get(id);
        return [await updateTestDevice(s, id, { name: o.name, mac: o.mac ?? before?.mac, serial: o.serial ?? before?.serial }, cx.actor()), (await s.settings.read()).macNotation] as const;
      });
      cx.out(`Test device ${d.id} is now ${d.name} (${identified(d, notation)}).`);
    });
  td.command('remove')
    .argument('<id>', 'the test device id', toId)
    .action(async (id: number) => {
      const { removeTestDevice } = await import('../server/app/test-devices.js');
      const d = await cx.withStore((s) => removeTestDevice(s, id, cx.actor()));
      cx.out(`Removed test device ${d.id}: ${d.name}.`);
    });

  const settings = program.command('settings').description('show or change settings');
  const keyArgument = new Argument('[key]');
  // The keys come from the settings' schema: loaded when `settings` runs or shows its help, not at every start.
  program.hook('preSubcommand', async (_program, sub) => {
    if (sub !== settings) return;
    const { SETTING_KEYS } = await import('../shared/settings.js');
    keyArgument.description = `one of: ${SETTING_KEYS.join(', ')}`;
  });
  settings
    .command('get', { isDefault: true })
    .addArgument(keyArgument)
    .option('--json', 'print as JSON')
    .action(async (key: string | undefined, o: { json?: boolean }) => {
      const { redactSettings, SETTING_KEYS } = await import('../shared/settings.js');
      const all = redactSettings(await cx.withStore((s) => s.settings.read()));
      if (key !== undefined && !SETTING_KEYS.includes(key as SettingKey)) throw new AppError('invalid_input', `Unknown setting "${key}". Settings: ${SETTING_KEYS.join(', ')}.`);
      const shown = key ? { [key]: all[key as SettingKey] } : all;
      if (o.json) return cx.json(shown);
      for (const [k, v] of Object.entries(shown)) cx.out(`${k} = ${JSON.stringify(v)}`);
    });
  settings
    .command('set')
    .argument('<key>', 'the setting')
    .argument('<value>', 'its new value (lists: comma-separated)')
    .argument('[more...]', 'more key value pairs, changed together (tlsCertFile and tlsKeyFile must be)')
    .action(async (key: string, value: string, more: string[]) => {
      const [{ parseSettingText, SETTING_KEYS }, { updateSettings }] = await Promise.all([import('../shared/settings.js'), import('../server/app/settings.js')]);
      if (more.length % 2 !== 0) throw new AppError('invalid_input', `"${more.at(-1)}" has no value: give settings as key value pairs.`);
      const pairs = [key, value, ...more].flatMap((k, i, all) => (i % 2 === 0 ? [[k, all[i + 1]!] as const] : []));
      const unknown = pairs.find(([k]) => !SETTING_KEYS.includes(k as SettingKey));
      if (unknown) throw new AppError('invalid_input', `Unknown setting "${unknown[0]}". Settings: ${SETTING_KEYS.join(', ')}.`);
      const input = Object.fromEntries(pairs.map(([k, v]) => [k, parseSettingText(k as SettingKey, v)]));
      const s = await cx.withStore((store) => updateSettings(store, input, cx.actor()));
      for (const [k] of pairs) cx.out(`${k} = ${JSON.stringify(s[k as SettingKey])}`);
      cx.out('(a running server applies changes on its next request; ports and certificates on restart)');
    });

  const admins = program.command('admins').description('admin accounts for the console and the admin API');
  admins.command('list', { isDefault: true }).action(async () => {
    const list = await cx.withStore((s) => s.admins.list());
    cx.out(list.length ? table(list as never[], ['username', 'role', 'createdAt']) : 'No admin accounts: add one with `ucupdates admins add <name>`.');
  });
  admins
    .command('add')
    .description('add an account or change its password/role; on a terminal the password is asked twice, unseen; otherwise it is the first line of standard input')
    .argument('<username>')
    .addOption(new Option('--role <role>', 'admin can change things, viewer can only look').choices(['admin', 'viewer']).default('admin'))
    .action(async (username: string, o: { role: 'admin' | 'viewer' }) => {
      const [{ readPassword }, { setAdmin }] = await Promise.all([import('./password-prompt.js'), import('../server/app/admin-auth.js')]);
      const password = await readPassword();
      await cx.withStore((s) => setAdmin(s, username, password, o.role, cx.actor()));
      cx.out(`Account ${username} (${o.role}) saved.`);
    });
  admins
    .command('remove')
    .argument('<username>')
    .action(async (username: string) => {
      const { removeAdmin } = await import('../server/app/admin-auth.js');
      await cx.withStore((s) => removeAdmin(s, username, cx.actor()));
      cx.out(`Account ${username} removed.`);
    });
}

/** A test device's MAC (in the admin's notation) and serial number. */
const identified = (d: TestDeviceDto, notation: MacNotation) => [d.mac && formatMac(d.mac, notation), d.serial].filter(Boolean).join(', ');
