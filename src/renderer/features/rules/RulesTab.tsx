// A list of update rules with row selection and the actions an admin may take on the selected ones.
// The Pending and Approved tabs are configurations of this view. The actions are small Buttons in a Toolbar (arrow
// keys move between them): ToolbarButtons come in one size (medium) and look (subtle) only. While the preview loads
// the button stays focusable (disabledFocusable), so that the focus returns to it when the dialog closes. The rows'
// context menu offers the same actions on the same rules, and Why (Troubleshoot's answer for the rule's phones).
import { useCallback, useMemo, useState } from 'react';
import { Button, Text, Toolbar } from '@fluentui/react-components';
import type { ColumnDef, RowSelectionState } from '@tanstack/react-table';
import type { RuleDto } from '../../../shared/admin-api.js';
import { listRules, type RuleAction } from '../../api.js';
import { DataTable } from '../../components/DataTable.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { useLoad } from '../../use-load.js';
import type { RowMenuItem } from '../../components/RowMenu.js';
import type { WhyQuery } from '../troubleshoot/why-link.js';
import { RULE_ACTION_WORDS } from './rule-action-words.js';
import { ruleName } from './rule-columns.js';
import { RuleActionDialog } from './RuleActionDialog.js';
import { useRuleAction } from './use-rule-action.js';

export interface RulesTabProps {
  /** The table's id (its shown columns are remembered under it). */
  tableId: string;
  label: string;
  intro: string;
  empty: string;
  include: (rule: RuleDto) => boolean;
  columns: ColumnDef<RuleDto, any>[];
  actions: RuleAction[];
  canChange: boolean;
  /** Rules the actions cannot apply to get a disabled checkbox. */
  canSelect?: (rule: RuleDto) => boolean;
  /** Opens Troubleshoot's Why for a phone like the rule's. */
  onWhy: (q: WhyQuery) => void;
}

export function RulesTab({ tableId, label, intro, empty, include, columns, actions, canChange, canSelect, onWhy }: RulesTabProps) {
  const rules = useLoad(useCallback(() => listRules(), []));
  const [selected, setSelected] = useState<RowSelectionState>({});
  const shown = useMemo(() => (rules.data ?? []).filter(include), [rules.data, include]);
  const ids = shown.filter((r) => selected[String(r.id)]).map((r) => r.id);
  const run = useRuleAction(async () => {
    setSelected({});
    await rules.reload();
  });

  const rowMenu = (acting: RuleDto[]): RowMenuItem[] => {
    const actionable = acting.filter((r) => canSelect?.(r) ?? true).map((r) => r.id);
    const one = acting.length === 1 ? acting[0] : undefined;
    return [
      ...(canChange
        ? actions.map((a) => ({ label: RULE_ACTION_WORDS[a].button, disabled: actionable.length === 0 || run.busy, onSelect: () => void run.preview(a, actionable) }))
        : []),
      {
        label: 'Why',
        disabled: !one,
        onSelect: () => one && onWhy({ model: one.model, revision: one.revision, locale: one.locale }),
      },
    ];
  };

  return (
    <>
      <p className="intro">{intro}</p>
      {canChange && (
        <Toolbar aria-label={`Actions on ${label.toLowerCase()}`} size="small" className="toolbar">
          {actions.map((a) => (
            <Button
              key={a}
              size="small"
              appearance={a === 'approve' ? 'primary' : 'secondary'}
              disabled={ids.length === 0}
              disabledFocusable={run.busy}
              onClick={() => void run.preview(a, ids)}
            >
              {RULE_ACTION_WORDS[a].button}
            </Button>
          ))}
          <Text size={200} className="muted" aria-live="polite">
            {ids.length > 0 ? `${ids.length} selected` : 'Select rules to act on them.'}
          </Text>
        </Toolbar>
      )}
      <Notice error={run.error ?? rules.error} status={run.status} />
      {rules.data ? (
        <DataTable
          id={tableId}
          label={label}
          noun="rule"
          data={shown}
          columns={columns}
          getRowId={(r) => String(r.id)}
          empty={empty}
          rowMenu={rowMenu}
          {...(canChange ? { selection: { selected, onChange: setSelected, rowLabel: ruleName, ...(canSelect ? { canSelect } : {}) } } : {})}
        />
      ) : (
        rules.loading && <Loading />
      )}
      {run.plan && (
        <RuleActionDialog plan={run.plan} busy={run.busy} error={run.dialogError} onConfirm={() => void run.confirm()} onCancel={run.cancel} />
      )}
    </>
  );
}
