// Rules with a version waiting for approval: test devices get it already; Approve offers it to every phone.
import type { RuleDto } from '../../../shared/admin-api.js';
import { RulesTab, type RulesTabProps } from './RulesTab.js';
import { changedColumn, pendingColumn, ruleKeyColumns, versionColumn } from './rule-columns.js';

const columns = [...ruleKeyColumns, pendingColumn, versionColumn('approved', 'Approved now'), changedColumn];
const hasPending = (r: RuleDto) => r.pending !== null;

export function PendingTab({ canChange, onWhy }: Pick<RulesTabProps, 'canChange' | 'onWhy'>) {
  return (
    <RulesTab
      tableId="pending"
      label="Pending updates"
      intro="New versions from imported packages. Test devices get them now; approve a version to offer it to every phone, or reject it."
      empty="No updates are waiting for approval. Import a package to add some."
      include={hasPending}
      columns={columns}
      actions={['approve', 'reject']}
      canChange={canChange}
      onWhy={onWhy}
    />
  );
}
