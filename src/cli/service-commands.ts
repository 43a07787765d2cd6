// Commands about the running service: serve it, sign in to it, and talk to it as a phone would. The server and the
// phone simulator are loaded by the command that runs them (dynamic import).
import { Option, type Command } from 'commander';
import { AppError } from '../server/app/app-error.js';
import { APP_VERSION } from '../server/version.js';
import { askServer, toMac, toPort, type CliContext } from './cli-context.js';
import { cannotReach, toUrl } from './cannot-reach.js';
import { DEFAULT_PHONE, type SimulatedPhone } from './simulated-phone.js';

export function serviceCommands(program: Command, cx: CliContext): void {
  program
    .command('serve')
    .description('run the update service (phone HTTP/HTTPS listeners, admin API and console) until stopped')
    .option('--http-port <n>', 'phone HTTP port (default: setting httpPort, 80)', toPort)
    .option('--https-port <n>', 'phone HTTPS port (default: setting httpsPort, 443)', toPort)
    .option('--admin-port <n>', 'admin console port (default: setting adminPort, 8090)', toPort)
    .option('--admin-host <addr>', 'admin console address (default: setting adminHost, 127.0.0.1)')
    .addOption(
      new Option('--phone-workers <n>', 'processes that answer phones beside this one, to use more cores (0-64; default: 0, phones are answered in this process)')
        .env('UCUPDATES_PHONE_WORKERS')
        .argParser(toWorkers),
    )
    .action(async ({ phoneWorkers, ...o }: { httpPort?: number; httpsPort?: number; adminPort?: number; adminHost?: string; phoneWorkers?: number }) => {
      const dataDir = cx.dataDir();
      const overrides = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
      const { startServer } = await import('../server/compose.js');
      const server = await startServer({ dataDir, pool: cx.pool(), overrides, phoneWorkers });
      process.stdout.write(
        [
          `ucupdates ${APP_VERSION} is serving (data: ${dataDir}${server.store.engine.kind === 'postgres' ? `; pool: ${server.store.engine.location}` : ''})`,
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
      const { url } = await askServer<{ url: string }>(cx, '/api/session/link', 'POST');
      cx.out(`${url}   (one-time link, valid 15 minutes, from this machine)`);
    });

  program
    .command('simulate')
    .description('act as a phone: send an update check to a server and, with --download, fetch what it offers')
    .option('--server <url>', 'the server', toUrl, 'http://localhost')
    .option('--mac <mac>', 'MAC address (any notation)', toMac, DEFAULT_PHONE.mac)
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
      const { downloadOffer, simulateCheck } = await import('./phone-simulator.js');
      const hint = 'check --server, and that ucupdates serves there';
      const r = await simulateCheck(String(o.server), phone, flags).catch((e: unknown) => {
        throw cannotReach(String(o.server), e, hint);
      });
      if (o.raw) cx.out(r.raw);
      if (!r.response) throw refusal(r.status, r.raw);
      const offered = r.response.files;
      cx.out(`Last Update Status: 0x0/${r.status}`);
      cx.out(`Locales on the server (LangList): ${r.response.langList.join('|') || '-'}`);
      if (offered.length === 0) return cx.out('No update offered.');
      for (const f of offered) cx.out(`Offered: ${f.fileName} ${f.version} (${f.timestamp}) from ${flags.external ? r.response.externalBaseUrl : r.response.baseUrl}`);
      if (!o.download) return;
      const base = flags.external ? r.response.externalBaseUrl : r.response.baseUrl;
      const files = await downloadOffer(r.response, flags).catch((e: unknown) => {
        throw cannotReach(base, e, 'the server offered files at a URL this machine cannot reach (set internalUrl or externalUrl to one it can)');
      });
      for (const f of files) cx.out(`Downloaded ${f.url}: HTTP ${f.status}, ${f.size} bytes, sha256 ${f.sha256}`);
      if (files.some((f) => f.status !== 200)) throw new AppError('not_found', 'A file the server offered could not be downloaded.');
    });
}

/** An update check the server did not answer with XML, in one sentence: its own plain-text reason, or the status. */
function refusal(status: number, text: string): AppError {
  if (status === 401) {
    return new AppError('unauthenticated', 'The server asks phones outside to sign in (NTLM, setting externalAuth): the simulator cannot; set externalAuth anonymous to try --external, or go through the reverse proxy.');
  }
  const said = text.trim().split('\n')[0]!.slice(0, 300);
  // Our server's refusals are plain-text sentences (400, 403, 413); anything else is named by its status.
  return new AppError('internal', /^[A-Z][^<]*\.$/.test(said) ? `The server refused the check (HTTP ${status}): ${said}` : `The server answered HTTP ${status}, not an update answer: check --server.`);
}

function toWorkers(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new AppError('invalid_input', `"${v}" is not a number of phone workers (0-64).`);
  return n;
}
