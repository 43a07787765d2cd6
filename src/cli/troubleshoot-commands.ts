// Commands that answer "why will this phone not update?": what the engine decides for it, what its status means.
// The decision engine and the checks are loaded by the command that runs them (dynamic import).
import type { Command } from 'commander';
import type { PreflightDto } from '../shared/admin-api.js';
import { formatMac } from '../shared/mac.js';
import { AppError, parseInput } from '../server/app/app-error.js';
import { askServer, runningServer, type CliContext } from './cli-context.js';

interface ExplainOptions {
  model: string;
  vendor?: string;
  deviceType?: string;
  revision?: string;
  locale?: string;
  firmware?: string;
  mac?: string;
  serial?: string;
  external?: boolean;
  json?: boolean;
}

export function troubleshootCommands(program: Command, cx: CliContext): void {
  program
    .command('explain')
    .description('why a phone gets an update or not: the decision, step by step, and what to do about it')
    .requiredOption('--model <model>', 'e.g. CX600, IP8540, 6725ip')
    .option('--vendor <vendor>', 'default: the vendor imported for that model')
    .option('--device-type <type>', 'UCPhone or RoundTable (default: from the imported rules)')
    .option('--revision <rev>', 'hardware revision (default: from the imported rules, else A)')
    .option('--locale <code>', 'three-letter language code', 'ENU')
    .option('--firmware <version>', 'the installed CPE version', '0.0.0.0')
    .option('--mac <mac>', 'its MAC: matches a test device, and a phone the inventory knows (the URLs it was given)')
    .option('--serial <serial>', 'its serial number, likewise')
    .option('--external', 'as a phone outside, through the external URL')
    .option('--json', 'print as JSON')
    .action(async (o: ExplainOptions) => {
      const input = { model: o.model, vendor: o.vendor, deviceType: o.deviceType, revision: o.revision, locale: o.locale, version: o.firmware, mac: o.mac, serial: o.serial, external: !!o.external };
      const [{ buildSnapshot }, { explainPhone, givenConnection, listenerConnection }, { phonePorts }] = await Promise.all([
        import('../server/app/catalog.js'),
        import('../server/app/explain.js'),
        import('../server/app/phone-ports.js'),
      ]);
      const running = await runningServer(cx);
      const e = await cx.withStore(async (store) => {
        // As the phone path makes them: for a phone the inventory knows, from what it was given; else for a phone
        // reaching the running HTTP listener, or the one `serve` would open.
        const reached = (await givenConnection(store, input)) ?? listenerConnection(running?.urls.http ?? `http://localhost:${(await phonePorts(await store.settings.read())).http}`);
        return { ...explainPhone(await buildSnapshot(store), input, reached, new Date()), notation: (await store.settings.read()).macNotation };
      });
      const { notation, ...explanation } = e;
      if (o.json) return cx.json(explanation);
      const p = e.phone;
      cx.out(`${p.deviceType}/${p.vendor}/${p.model}/${p.revision}, locale ${p.locale}, firmware ${p.version}${p.mac ? `, MAC ${formatMac(p.mac, notation)}` : ''}${p.serial ? `, serial ${p.serial}` : ''}`);
      for (const n of e.notes) cx.out(`note: ${n}`);
      for (const t of e.trace) cx.out(`- ${t}`);
      cx.out(e.offered ? `Offered: ${e.offered.version} from ${e.offered.baseUrl} (external: ${e.offered.externalBaseUrl})` : `Nothing is offered (${e.reason}).`);
    });

  program
    .command('preflight')
    .description('check the deployment as phones will meet it: DNS names, certificate, URLs, interim image, clock')
    .option('--domain <domain>', 'the phones\' DNS domain (DHCP domain option), e.g. contoso.com')
    .option('--json', 'print as JSON')
    .action(async (o: { domain?: string; json?: boolean }) => {
      // The running server: the certificate checked is the one its HTTPS listener really presents. Without one,
      // the rest is checked here, with the ports serve would take.
      const running = await runningServer(cx);
      const r = running
        ? await askServer<PreflightDto>(cx, `/api/preflight${o.domain ? `?domain=${encodeURIComponent(o.domain)}` : ''}`)
        : await runHere(cx, o.domain);
      if (o.json) return cx.json(r);
      cx.out(`Pre-flight for ${r.domain || 'an unknown domain'}:`);
      for (const c of r.checks) {
        cx.out(`${c.status.toUpperCase().padEnd(4)}  ${c.title}: ${c.detail}`);
        if (c.fix) cx.out(`      What to do: ${c.fix}`);
      }
      const failed = r.checks.filter((c) => c.status === 'fail').length;
      if (failed > 0) throw new AppError('conflict', `${failed} check(s) failed.`);
    });

  program
    .command('decode')
    .description('what the phone\'s "Last Update Status: 0xW/H" means, and what to do about it')
    .argument('<status>', 'as the phone shows it, e.g. 0x2f7d/200')
    .option('--json', 'print as JSON')
    .action(async (status: string, o: { json?: boolean }) => {
      const { decodeStatus } = await import('../shared/status-codes.js');
      const d = decodeStatus(status);
      if (!d.ok) throw new AppError('invalid_input', d.message);
      if (o.json) return cx.json(d);
      cx.out(`${d.text}`);
      for (const part of [d.error, d.http]) {
        if (!part) continue;
        cx.out(`  ${part === d.http ? `HTTP ${part.code}` : `0x${part.code.toString(16)}`} ${part.name}: ${part.meaning}`);
        if (part.fix) cx.out(`    What to do: ${part.fix}`);
      }
    });
}

/** The pre-flight checks run in this process, on the store, with the ports serve would take. */
async function runHere(cx: CliContext, domain: string | undefined): Promise<PreflightDto> {
  const [{ preflightQuery }, { runPreflight }] = await Promise.all([import('../shared/admin-api.js'), import('../server/app/preflight.js')]);
  const query = parseInput(preflightQuery, { domain });
  return cx.withStore((store) => runPreflight(store, undefined, query.domain));
}
