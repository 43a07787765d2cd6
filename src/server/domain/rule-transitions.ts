// What Approve, Reject and Roll Back do to a rule (protocol.md section 5), as a pure function: the console
// previews the same result it then applies, and the words are what the admin is asked to confirm.
import { compareVersions, type Version } from '../../shared/version.js';
import type { UpdateRule } from './device.js';
import { ruleKeyPath } from './device.js';

export type RuleAction = 'approve' | 'reject' | 'rollback';

export type RuleVersions = Pick<UpdateRule, 'approved' | 'pending' | 'restore'>;

export type Transition =
  | { ok: true; next: RuleVersions; summary: string; warnings: string[] }
  | { ok: false; error: string };

/** `phones`: how many phones of the rule's model and locale the inventory holds; said in a last sentence. */
export function planRuleAction(rule: UpdateRule, action: RuleAction, phones: number): Transition {
  const t = transition(rule, action);
  return t.ok ? { ...t, summary: `${t.summary} ${phonesSentence(phones)}` } : t;
}

function phonesSentence(n: number): string {
  if (n === 0) return 'No phone of this model and locale has checked in yet.';
  return n === 1 ? '1 phone of this model and locale has checked in.' : `About ${n} phones of this model and locale have checked in.`;
}

function transition(rule: UpdateRule, action: RuleAction): Transition {
  const path = ruleKeyPath(rule);
  switch (action) {
    case 'approve': {
      if (!rule.pending) return { ok: false, error: `${path} has no pending version to approve.` };
      const warnings: string[] = [];
      if (rule.approved && compareVersions(rule.pending, rule.approved) < 0) {
        warnings.push(
          `${rule.pending} is older than the approved ${rule.approved}: every phone on ${rule.approved} will be downgraded.`,
        );
      }
      return {
        ok: true,
        next: { approved: rule.pending, pending: null, restore: rule.approved ?? rule.restore },
        summary: rule.approved
          ? `${path}: phones go from ${rule.approved} to ${rule.pending}; ${rule.approved} is kept for roll back.`
          : `${path}: phones get ${rule.pending}.`,
        warnings,
      };
    }
    case 'reject':
      if (!rule.pending) return { ok: false, error: `${path} has no pending version to reject.` };
      return {
        ok: true,
        next: { approved: rule.approved, pending: null, restore: rule.restore },
        summary: `${path}: pending ${rule.pending} is rejected; test devices go back to ${rule.approved ?? 'no update'}.`,
        warnings: [],
      };
    case 'rollback':
      if (!rule.restore) return { ok: false, error: `${path} has no earlier approved version to roll back to.` };
      return {
        ok: true,
        // The rolled-back version stays in the store; it is not offered again unless re-imported as pending.
        next: { approved: rule.restore, pending: rule.pending, restore: null },
        summary: `${path}: phones go from ${rule.approved ?? 'no update'} back to ${rule.restore as Version}.`,
        warnings: [],
      };
  }
}
