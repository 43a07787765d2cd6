// Rules with a version waiting for approval: test devices get it already; Approve offers it to every phone.
import type { RuleDto } from '../../../shared/admin-api.js';
import { RulesTab } from './RulesTab.js';
import { changedColumn, ruleKeyColumns, versionColumn } from './rule-columns.js';

const columns = [...ruleKeyColumns, versionColumn('pending', 'Pending'), versionColumn('approved', 'Approved now'), changedColumn];
const hasPending = (r: RuleDto) => r.pending !== null;

export function PendingTab({ canChange }: { canChange: boolean }) {
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
    />
  );
}
