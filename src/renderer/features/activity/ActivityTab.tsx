// The admin history, newest first: who changed what, when.
import { useCallback } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import type { HistoryDto } from '../../../shared/admin-api.js';
import { listHistory } from '../../api.js';
import { DataTable } from '../../components/DataTable.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { formatTime } from '../../format.js';
import { useLoad } from '../../use-load.js';
import { actionLabel, describeDetails, targetIsRulePath } from './describe-entry.js';

const col = createColumnHelper<HistoryDto>();
const columns = [
  col.accessor('at', { header: 'When', cell: (c) => formatTime(c.getValue()), meta: { filterText: formatTime } }),
  col.accessor('actor', { header: 'Who' }),
  col.accessor('action', { header: 'Action', cell: (c) => actionLabel(c.getValue()), meta: { filterText: actionLabel } }),
  col.accessor('target', {
    header: 'What',
    cell: (c) => (targetIsRulePath(c.row.original.action) ? <span className="mono">{c.getValue()}</span> : c.getValue()),
  }),
  col.accessor(describeDetails, { id: 'details', header: 'Details', enableSorting: false }),
];

const LIMIT = 50;

export function ActivityTab() {
  const history = useLoad(useCallback(() => listHistory(LIMIT), []));
  return (
    <>
      <p className="intro">The latest {LIMIT} changes made in the console or with the command line.</p>
      <Notice error={history.error} />
      {history.data ? (
        <DataTable
          id="activity"
          label="Activity"
          noun="change"
          data={history.data}
          columns={columns}
          getRowId={(h) => String(h.id)}
          empty="Nothing has happened yet."
        />
      ) : (
        history.loading && <Loading />
      )}
    </>
  );
}
