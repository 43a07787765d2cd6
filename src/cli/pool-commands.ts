// Pool mode: several servers sharing one store on PostgreSQL. `pool init` makes the schema; `pool migrate` moves an
// embedded store (a data folder) into the pool, all or nothing. The store and PostgreSQL's driver are loaded by the
// command that runs (dynamic import).
import type { Command } from 'commander';
import { AppError } from '../server/app/app-error.js';
import type { PgEngine } from '../server/infra/pg/engine.js';
import type { CliContext } from './cli-context.js';

export function poolCommands(program: Command, cx: CliContext): void {
  const pool = program.command('pool').description('several servers sharing one store on PostgreSQL (pool mode)');

  pool
    .command('init')
    .description('create (or bring up to date) the pool\'s tables in an existing PostgreSQL database')
    .argument('[url]', 'postgres://user[:password]@host[:port]/database (default: --pool or $UCUPDATES_POOL)')
    .addHelpText('after', '\nRun again after an upgrade: it only adds what is missing. Example:\n  ucupdates pool init postgres://ucupdates@db.example.com/ucupdates')
    .action(async (url: string | undefined) => {
      const target = await poolUrl(url ?? cx.pool(), 'ucupdates pool init postgres://user@host/database (or give --pool, or set UCUPDATES_POOL)');
      const [{ openStore }, { PG_MIGRATIONS }] = await Promise.all([import('../server/app/store.js'), import('../server/infra/pg/migrations.js')]);
      const store = await openStore(cx.dataDir(), { pool: target });
      const where = store.engine.location;
      const found = (store.engine as PgEngine).schemaFound;
      await store.close();
      cx.out(
        found === 0
          ? `Created the pool's tables at ${where}.`
          : found < PG_MIGRATIONS.length
            ? `Brought the pool's tables at ${where} up to date (schema ${found} to ${PG_MIGRATIONS.length}).`
            : `The pool's tables at ${where} are up to date already (nothing changed).`,
      );
      cx.out(`On each server: ucupdates serve --pool ${where}`);
    });

  pool
    .command('migrate')
    .description('move the embedded store of a data folder (rules, packages, images, test devices, settings, accounts, inventory, history) into the empty pool named by --pool or $UCUPDATES_POOL, all or nothing')
    .requiredOption('--from <dir>', 'the data folder whose store moves (stop its server first)')
    .addHelpText('after', '\nExample:\n  ucupdates --pool postgres://ucupdates@db.example.com/ucupdates pool migrate --from /var/lib/ucupdates')
    .action(async (o: { from: string }) => {
      const target = await poolUrl(cx.pool(), 'ucupdates --pool postgres://user@host/database pool migrate --from <dir> (or set UCUPDATES_POOL)');
      const [{ openStore }, { migrateIntoPool }] = await Promise.all([import('../server/app/store.js'), import('../server/app/pool-migration.js')]);
      const store = await openStore(cx.dataDir(), { pool: target });
      try {
        let shown = '';
        const result = await migrateIntoPool(o.from, store, (step, done, total, what) => {
          const line = step === 'images' ? `images ${done}/${total}` : `rows: ${what} ${done}`;
          if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(shown.length)}`);
          shown = line;
        });
        if (process.stderr.isTTY && shown) process.stderr.write('\n');
        const rows = Object.entries(result.rows).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ');
        cx.out(`Moved ${o.from} into the pool at ${store.engine.location}: ${result.images} image file(s), ${(result.bytes / 1048576).toFixed(1)} MB; rows: ${rows || 'none'}.`);
        cx.out(`Start each server with: ucupdates serve --pool ${store.engine.location}`);
      } finally {
        await store.close();
      }
    });
}

/** The pool's URL, checked; `usage` says how to name it when none is given. */
async function poolUrl(url: string | undefined, usage: string): Promise<string> {
  if (!url) throw new AppError('invalid_input', `Name the pool: ${usage}.`);
  const { poolUrlProblem } = await import('../server/infra/pg/connection.js');
  const problem = poolUrlProblem(url);
  if (problem) throw new AppError('invalid_input', problem);
  return url;
}
