// The confirmation of a rule action: what will happen to each rule, in the server's words, warnings first.
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { count } from '../../format.js';
import { RULE_ACTION_WORDS } from './rule-action-words.js';
import type { RuleActionPlan } from './use-rule-action.js';

export interface RuleActionDialogProps {
  plan: RuleActionPlan;
  busy: boolean;
  error: string | undefined;
  onConfirm: () => void;
  onCancel: () => void;
}

export function RuleActionDialog({ plan, busy, error, onConfirm, onCancel }: RuleActionDialogProps) {
  const words = RULE_ACTION_WORDS[plan.action];
  const warnings = plan.changes.flatMap((c) => c.warnings);
  return (
    <ConfirmDialog
      title={`${words.button} ${count(plan.changes.length, 'update')}?`}
      confirmLabel={words.button}
      busy={busy}
      error={error}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      {warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {warnings.map((w, i) => (
            <li key={i}>
              <strong>Warning:</strong> {w}
            </li>
          ))}
        </ul>
      )}
      <ul className="summaries">
        {plan.changes.map((c) => (
          <li key={c.ruleId}>{c.summary}</li>
        ))}
      </ul>
    </ConfirmDialog>
  );
}
