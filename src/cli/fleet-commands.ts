// Commands about the phones themselves: filling the device inventory from a retiring server's audit logs.
import type { Command } from 'commander';
import type { AuditImportDto } from '../shared/inventory-api.js';
import { AppError } from '../server/app/app-error.js';
import { namedFile, type CliContext } from './cli-context.js';

export function fleetCommands(program: Command, cx: CliContext): void {
  program
    .command('import-audit')
    .description("fill the device inventory from a retiring Lync/OCS server's RequestHandlerAuditLog_*.log files")
    .argument('<files...>', 'audit log files, from Logs\\Server\\Audit\\imageUpdates (keep their names: the date in them tells day from month)')
    .action(async (files: string[]) => {
      for (const file of files) await namedFile(file);
      const { importAuditLog } = await import('../server/app/audit-import.js');
      const refused: string[] = [];
      await cx.withStore(async (store) => {
        for (const file of files) {
          const name = file.split(/[\\/]/).pop()!;
          try {
            cx.out(summary(await importAuditLog(store, file, name, cx.actor())));
          } catch (e) {
            if (!(e instanceof AppError)) throw e;
            refused.push(name);
            cx.out(`${name}: refused: ${e.message}`);
          }
        }
      });
      if (refused.length > 0) throw new AppError('invalid_package', `${refused.length} of ${files.length} file(s) refused: ${refused.join(', ')}.`);
    });
}

function summary(r: AuditImportDto): string {
  const unreadable = r.lines - r.imported - r.skipped;
  const first = r.errors[0];
  return (
    `${r.fileName}: ${r.lines} lines, ${r.imported} checks imported, ${r.newDevices} new phones, ${r.skipped} skipped, ${unreadable} unreadable` +
    (first ? ` (first: line ${first.line}: ${first.message})` : '')
  );
}
