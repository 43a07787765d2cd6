// Rules with an approved version, the one every phone is offered; Roll Back returns to the version before it.
// Below them the interim images, which phones get without approval.
import type { RuleDto } from '../../../shared/admin-api.js';
import { InterimImages } from './InterimImages.js';
import { RulesTab, type RulesTabProps } from './RulesTab.js';
import { changedColumn, ruleKeyColumns, versionColumn } from './rule-columns.js';

const columns = [...ruleKeyColumns, versionColumn('approved', 'Approved'), versionColumn('restore', 'Roll back to'), changedColumn];
const hasApproved = (r: RuleDto) => r.approved !== null;
const canRollBack = (r: RuleDto) => r.restore !== null;

export function ApprovedTab({ canChange, onWhy }: Pick<RulesTabProps, 'canChange' | 'onWhy'>) {
  return (
    <>
      <RulesTab
        tableId="approved"
        label="Approved updates"
        intro="The versions every phone is offered. Roll back returns a rule to the version approved before it."
        empty="No update is approved yet."
        include={hasApproved}
        columns={columns}
        actions={['rollback']}
        canChange={canChange}
        onWhy={onWhy}
        canSelect={canRollBack}
      />
      <InterimImages canChange={canChange} />
    </>
  );
}
