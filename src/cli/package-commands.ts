// Commands about packages and rules: import, list, approve, reject, roll back, and the history of it all.
// Use cases are loaded by the command that runs them (dynamic import): the CLI starts with only what it needs.
import type { Command } from 'commander';
import type { HistoryDto } from '../shared/admin-api.js';
import { AppError } from '../server/app/app-error.js';
import type { ImportKind } from '../server/app/import-package.js';
import type { Store } from '../server/app/store.js';
import { ruleKeyPath } from '../server/domain/device.js';
import type { RuleAction } from '../server/domain/rule-transitions.js';
import { toId, type CliContext } from './cli-context.js';
import { table } from './output.js';

export function packageCommands(program: Command, cx: CliContext): void {
  program
    .command('import')
    .description('import UCUpdates.cab or the self-extracting UCUpdates.exe; new versions land as pending')
    .argument('<file>', 'the .cab or .exe package (with --tree: a DeviceUpdateFiles folder; with --interim: a cab or a folder)')
    .option('--interim', 'the OCPE interim image (OCInterim/<Locale>/CPE.nbt and CPE.cat): a cab, the OCInterim folder, one of its locale folders, or a DeviceUpdateFiles_Int folder holding it')
    .option('--tree', 'import an existing Lync/OCS DeviceUpdateFiles (DeviceUpdateStore) folder tree')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, o: { interim?: boolean; tree?: boolean; json?: boolean }) => {
      const kind: ImportKind = o.tree ? 'tree' : o.interim ? 'interim' : 'package';
      const { importPackage } = await import('../server/app/import-package.js');
      const summary = await cx.withStore((store) =>
        importPackage(store, file, {
          fileName: file.split(/[\\/]/).pop()!,
          actor: cx.actor(),
          kind,
          onProgress: process.stderr.isTTY ? (phase, pct) => process.stderr.write(`\r${phase.padEnd(12)} ${String(Math.round(pct)).padStart(3)}%`) : undefined,
        }),
      );
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      if (o.json) return cx.json(summary);
      if (summary.alreadyImported) {
        const relanded = summary.images.filter((i) => i.outcome === 'pending').length;
        cx.out(`This package was imported before (package ${summary.packageId}); ${relanded ? `${relanded} version(s) are pending again.` : 'nothing changed.'}`);
      }
      for (const i of summary.images) cx.out(`${i.rule} ${i.version}: ${i.outcome}`);
      for (const i of summary.interim) cx.out(`interim image ${i.locale} ${i.version}: stored`);
      for (const w of summary.warnings) cx.out(`warning: ${w}`);
    });

  program
    .command('rules')
    .description('list the update rules (Approved, Pending and Restore versions per device and locale), then the interim images and the phones they serve')
    .option('--json', 'print as JSON')
    .option('--pending', 'only rules with a pending version')
    .action(async (o: { json?: boolean; pending?: boolean }) => {
      const [{ interimOverview }, { interimSection }] = await Promise.all([import('../server/app/interim-overview.js'), import('./interim-section.js')]);
      const [rules, interim] = await cx.withStore(async (s) => [(await s.rules.list()).filter((r) => !o.pending || r.pending), await interimOverview(s)] as const);
      if (o.json) return cx.json(rules);
      if (rules.length === 0) cx.out('No rules yet: import a package with `ucupdates import UCUpdates.cab`.');
      else cx.out(table(rules.map((r) => ({ ...r, rule: ruleKeyPath(r) })), ['id', 'rule', 'approved', 'pending', 'restore']));
      if (!o.pending) for (const line of interimSection(interim)) cx.out(line);
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
        const { applyRuleAction, previewRuleAction } = await import('../server/app/rule-actions.js');
        await cx.withStore(async (store) => {
          const ids = await selectRules(store, name, selectors, !!o.all);
          const plan = await previewRuleAction(store, name, ids);
          const warnings = plan.flatMap((c) => c.warnings);
          for (const c of plan) cx.out(c.summary);
          for (const w of warnings) cx.out(`warning: ${w}`);
          if (o.dryRun) return;
          if (warnings.length > 0 && !o.force) throw new AppError('conflict', 'Nothing changed: add --force to go ahead despite the warnings.');
          await applyRuleAction(store, name, ids, cx.actor());
          cx.out(`Done: ${plan.length} rule(s).`);
        });
      });
  }

  program
    .command('purge')
    .description('remove packages whose versions no rule uses (not approved, pending or kept for roll back)')
    .option('--yes', 'remove them; without it, only say what would be removed')
    .option('--json', 'print as JSON')
    .action(async (o: { yes?: boolean; json?: boolean }) => {
      const { applyPurge, previewPurge } = await import('../server/app/purge.js');
      await cx.withStore(async (store) => {
        const plan = await previewPurge(store);
        if (!o.yes || plan.purge.length === 0) {
          if (o.json) return cx.json(plan);
          if (plan.purge.length === 0) return cx.out('Nothing to purge: every package holds a version that is approved, pending or kept for roll back.');
          cx.out(table(plan.purge.map((p) => ({ ...p })), ['id', 'fileName', 'importedAt', 'reason']));
          return cx.out(`Purging these ${plan.purge.length} package(s) frees ${megabytes(plan.bytes)}. Run again with --yes to purge.`);
        }
        const done = await applyPurge(store, plan.purge.map((p) => p.id), cx.actor());
        if (o.json) return cx.json(done);
        cx.out(`Purged ${done.packages.length} package(s): ${done.files} file(s), ${megabytes(done.bytes)} freed.`);
      });
    });

  program
    .command('history')
    .description('the admin action history, newest first')
    .option('--limit <n>', 'how many entries', toId, 50)
    .option('--json', 'print as JSON')
    .action(async (o: { limit: number; json?: boolean }) => {
      const list = await cx.withStore((s) => s.history.list(o.limit));
      if (o.json) return cx.json(list);
      cx.out(table(list.map((h) => ({ ...h, versions: versionsOf(h) })), ['at', 'actor', 'action', 'target', 'versions']));
    });
}

type Versions = Partial<Record<'approved' | 'pending' | 'restore', string | null>>;

/** The versions an entry is about: a rule action's changes (approved 1 -> 2), or the versions a package brought. */
function versionsOf(h: HistoryDto): string {
  const { before, after, images, interim } = h.details as { before?: Versions; after?: Versions; images?: { version: string }[]; interim?: { version: string }[] };
  if (before && after) {
    return (['approved', 'pending', 'restore'] as const)
      .filter((k) => (before[k] ?? null) !== (after[k] ?? null))
      .map((k) => `${k} ${before[k] ?? 'none'} -> ${after[k] ?? 'none'}`)
      .join('; ');
  }
  return [...new Set([...(images ?? []), ...(interim ?? [])].map((i) => i.version))].join(', ');
}

const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

async function selectRules(store: Store, action: RuleAction, selectors: string[], all: boolean): Promise<number[]> {
  const rules = await store.rules.list();
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
