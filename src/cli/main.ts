// `ucupdates`: the headless face of the update server, in the spirit of the Lync Device Update cmdlets.
// Each command is a thin call into src/server/app; the store is opened directly (the SQLite file is shared
// safely with a running server, which sees the change within POLL_MS; a pool's nodes hear of it by NOTIFY).
import { Command, CommanderError, Option } from 'commander';
import { resolveDataDir } from '../server/infra/data-dir.js';
import { APP_VERSION } from '../server/version.js';
import { cliContext } from './cli-context.js';
import { configCommands } from './config-commands.js';
import { fleetCommands } from './fleet-commands.js';
import { EXIT, reportError } from './output.js';
import { packageCommands } from './package-commands.js';
import { poolCommands } from './pool-commands.js';
import { serviceCommands } from './service-commands.js';
import { troubleshootCommands } from './troubleshoot-commands.js';

export function buildProgram(): Command {
  const program = new Command('ucupdates')
    .description('Device Update Service for Microsoft Lync / OCS IP phones')
    .version(APP_VERSION)
    .addOption(new Option('--data <dir>', 'data folder (default: $UCUPDATES_DATA or the per-user app data folder)'))
    .addOption(new Option('--pool <url>', 'a pool\'s PostgreSQL store, postgres://user@host/db, shared by several servers (default: $UCUPDATES_POOL; none: the embedded store in the data folder)').env('UCUPDATES_POOL'))
    .showHelpAfterError()
    .exitOverride();
  const cx = cliContext(
    () => resolveDataDir(program.opts().data as string | undefined),
    () => (program.opts().pool as string | undefined) || undefined,
  );
  serviceCommands(program, cx);
  packageCommands(program, cx);
  configCommands(program, cx);
  troubleshootCommands(program, cx);
  fleetCommands(program, cx);
  poolCommands(program, cx);
  return program;
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
