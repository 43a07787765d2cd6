// The columns that describe update rules: the rule's key (its folder path in the store) and its versions.
import { Badge } from '@fluentui/react-components';
import { createColumnHelper, type SortingFn } from '@tanstack/react-table';
import type { RuleDto } from '../../../shared/admin-api.js';
import { compareVersions, parseVersion } from '../../../shared/version.js';
import { formatTime, formatVersion } from '../../format.js';

const col = createColumnHelper<RuleDto>();

/** Versions sort as numbers (4.0.10 after 4.0.9); none sorts first. */
const byVersion: SortingFn<RuleDto> = (a, b, id) => {
  const va = parseVersion(a.getValue<string | null>(id) ?? '');
  const vb = parseVersion(b.getValue<string | null>(id) ?? '');
  if (!va || !vb) return (va ? 1 : 0) - (vb ? 1 : 0);
  return compareVersions(va, vb);
};

export const ruleKeyColumns = [
  col.accessor('deviceType', { header: 'Device type' }),
  col.accessor('vendor', { header: 'Vendor' }),
  col.accessor('model', { header: 'Model' }),
  col.accessor('revision', { header: 'Revision' }),
  col.accessor('locale', { header: 'Locale' }),
  col.accessor('updateType', { header: 'Update type' }),
];

export const versionColumn = (key: 'approved' | 'pending' | 'restore', header: string) =>
  col.accessor(key, { header, cell: (c) => <span className="version">{formatVersion(c.getValue())}</span>, sortingFn: byVersion, meta: { filterText: formatVersion } });

/** A pending version older than the approved one: approving it would take phones back. */
export function isDowngrade(r: RuleDto): boolean {
  const pending = parseVersion(r.pending ?? '');
  const approved = parseVersion(r.approved ?? '');
  return !!pending && !!approved && compareVersions(pending, approved) < 0;
}

/** The pending version, marked when it is a downgrade. */
export const pendingColumn = col.accessor('pending', {
  header: 'Pending',
  cell: (c) => (
    <>
      <span className="version">{formatVersion(c.getValue())}</span>
      {isDowngrade(c.row.original) && (
        <Badge className="version-badge" size="small" appearance="tint" color="warning">
          Downgrade
        </Badge>
      )}
    </>
  ),
  sortingFn: byVersion,
  meta: { filterText: formatVersion },
});

export const changedColumn = col.accessor('updatedAt', {
  header: 'Changed',
  cell: (c) => formatTime(c.getValue()),
  meta: { filterText: formatTime },
});

/** The rule as the server names it in summaries and history: its folder path. */
export const ruleName = (r: RuleDto): string =>
  [r.deviceType, r.vendor, r.model, r.revision, r.locale, r.updateType].join('/');
