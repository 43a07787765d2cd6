// Commands that answer "why will this phone not update?": what its status code means.
import type { Command } from 'commander';
import { decodeStatus } from '../shared/status-codes.js';
import { AppError } from '../server/app/app-error.js';
import type { CliContext } from './cli-context.js';

export function troubleshootCommands(program: Command, cx: CliContext): void {
  program
    .command('decode')
    .description('what the phone\'s "Last Update Status: 0xW/H" means, and what to do about it')
    .argument('<status>', 'as the phone shows it, e.g. 0x2f7d/200')
    .option('--json', 'print as JSON')
    .action((status: string, o: { json?: boolean }) => {
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
