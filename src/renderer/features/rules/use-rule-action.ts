// Approve, Reject, Roll Back in two steps: preview (the server's summary and warnings, nothing changes),
// then apply once the admin confirms what they read.
import { useState } from 'react';
import type { RuleChangeDto } from '../../../shared/admin-api.js';
import { applyRuleAction, errorText, previewRuleAction, type RuleAction } from '../../api.js';
import { count } from '../../format.js';
import { RULE_ACTION_WORDS } from './rule-action-words.js';

export interface RuleActionPlan {
  action: RuleAction;
  ids: number[];
  changes: RuleChangeDto[];
}

export function useRuleAction(afterApply: () => Promise<void>) {
  const [plan, setPlan] = useState<RuleActionPlan>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [dialogError, setDialogError] = useState<string>();
  const [status, setStatus] = useState<string>();

  const preview = async (action: RuleAction, ids: number[]) => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      setPlan({ action, ids, changes: await previewRuleAction(action, ids) });
      setDialogError(undefined);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!plan) return;
    setBusy(true);
    try {
      const done = await applyRuleAction(plan.action, plan.ids);
      setPlan(undefined);
      setStatus(`${RULE_ACTION_WORDS[plan.action].done} ${count(done.length, 'update')}.`);
      await afterApply();
    } catch (e) {
      setDialogError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const cancel = () => setPlan(undefined);

  return { plan, busy, error, dialogError, status, preview, confirm, cancel };
}
