// Approve, Reject, Roll Back: several rules at once, all or nothing, each change with its history entry.
import { planRuleAction, type RuleAction, type RuleVersions } from '../domain/rule-transitions.js';
import { ruleKeyPath } from '../domain/device.js';
import { AppError } from './app-error.js';
import type { Store } from './store.js';
import type { Repos } from './store-contract.js';

export interface RuleChange {
  ruleId: number;
  rule: string;
  before: RuleVersions;
  after: RuleVersions;
  summary: string;
  warnings: string[];
}

/** Plans the action for every rule without changing anything (the console's confirmation text). */
export async function previewRuleAction(store: Repos, action: RuleAction, ids: number[]): Promise<RuleChange[]> {
  if (ids.length === 0) throw new AppError('invalid_input', 'Select at least one rule.', 'ids');
  const errors: string[] = [];
  let missing = false;
  const changes: RuleChange[] = [];
  for (const id of [...new Set(ids)]) {
    const rule = await store.rules.get(id);
    if (!rule) {
      errors.push(`There is no rule with id ${id}.`);
      missing = true;
      continue;
    }
    const t = planRuleAction(rule, action, await store.devices.countForRule(rule));
    if (!t.ok) errors.push(t.error);
    else
      changes.push({
        ruleId: id,
        rule: ruleKeyPath(rule),
        before: { approved: rule.approved, pending: rule.pending, restore: rule.restore },
        after: t.next,
        summary: t.summary,
        warnings: t.warnings,
      });
  }
  if (errors.length > 0) throw new AppError(missing ? 'not_found' : 'conflict', errors.join(' '));
  return changes;
}

export function applyRuleAction(store: Store, action: RuleAction, ids: number[], actor: string): Promise<RuleChange[]> {
  return store.write(async (tx, now) => {
    // Planned inside the transaction so that a concurrent change (the CLI) cannot slip in between.
    const changes = await previewRuleAction(tx, action, ids);
    for (const c of changes) await tx.rules.setVersions(c.ruleId, c.after, now);
    return {
      result: changes,
      history: changes.map((c) => ({
        actor,
        action,
        target: c.rule,
        details: { before: c.before, after: c.after, warnings: c.warnings },
      })),
    };
  });
}
