// A phone's records beside the inventory: its update checks as the audit log wrote them, and the logs it uploaded.
import { useCallback, useMemo } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import type { DeviceHistoryDto } from '../../../shared/inventory-api.js';
import { deviceLogUrl, getDeviceHistory, listDeviceLogs } from '../../api.js';
import { DataTable } from '../../components/DataTable.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { formatBytes, formatTime } from '../../format.js';
import { useLoad } from '../../use-load.js';

// Numbered: two checks may share their second and their modules.
type Entry = DeviceHistoryDto['entries'][number] & { n: number };
const col = createColumnHelper<Entry>();
const historyColumns = [
  col.accessor('at', { header: 'When', cell: (c) => formatTime(c.getValue()), meta: { filterText: formatTime } }),
  col.accessor('address', { header: 'Address' }),
  col.accessor('user', { header: 'User', cell: (c) => c.getValue() || '—' }),
  col.accessor((e) => e.requested.join(' '), { id: 'requested', header: 'Reported modules', cell: (c) => <span className="mono">{c.getValue()}</span> }),
  col.accessor((e) => (e.response.length ? e.response.join(' ') : 'nothing'), {
    id: 'response',
    header: 'Offered',
    cell: (c) => <span className="mono">{c.getValue()}</span>,
  }),
];

export function DeviceHistory({ id }: { id: number }) {
  const history = useLoad(useCallback(() => getDeviceHistory(id), [id]));
  const entries = useMemo(() => history.data?.entries.map((e, n) => ({ ...e, n })), [history.data]);
  return (
    <section className="card" aria-labelledby="device-history">
      <h3 id="device-history">Request history</h3>
      <Notice error={history.error} />
      {history.data && entries && (
        <>
          {history.data.truncated && <p className="muted">The newest entries of a longer history.</p>}
          <DataTable
            id="device-history"
            label="Request history"
            noun="update check"
            data={entries}
            columns={historyColumns}
            getRowId={(e) => String(e.n)}
            empty="The audit log holds no update check from this phone (older logs may have been removed by retention)."
          />
        </>
      )}
      {history.loading && !history.data && <Loading />}
    </section>
  );
}

export function DeviceLogs({ id }: { id: number }) {
  const logs = useLoad(useCallback(() => listDeviceLogs(id), [id]));
  return (
    <section className="card" aria-labelledby="device-logs">
      <h3 id="device-logs">Uploaded logs</h3>
      <Notice error={logs.error} />
      {logs.data &&
        (logs.data.length ? (
          <ul className="log-list">
            {logs.data.map((l) => (
              <li key={l.id}>
                <a href={deviceLogUrl(id, l.id)} download={l.fileName}>
                  {l.fileName}
                </a>{' '}
                <span className="muted">
                  {l.type}, {formatBytes(l.size)}, received {formatTime(l.receivedAt)}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">This phone has uploaded no logs.</p>
        ))}
    </section>
  );
}
