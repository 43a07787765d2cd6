// The words of each rule action, on its button, in its confirmation and in its outcome.
import type { RuleAction } from '../../api.js';

export const RULE_ACTION_WORDS: Record<RuleAction, { button: string; done: string }> = {
  approve: { button: 'Approve', done: 'Approved' },
  reject: { button: 'Reject', done: 'Rejected' },
  rollback: { button: 'Roll Back', done: 'Rolled back' },
};
