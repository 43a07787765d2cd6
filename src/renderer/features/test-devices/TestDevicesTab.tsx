// Test devices get pending versions before everyone else. Listed, added and removed here.
import { useCallback, useMemo, useState } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import type { TestDeviceDto } from '../../../shared/admin-api.js';
import { errorText, listTestDevices, removeTestDevice } from '../../api.js';
import { DataTable } from '../../components/DataTable.js';
import { Notice } from '../../components/Notice.js';
import { formatTime } from '../../format.js';
import { useLoad } from '../../use-load.js';
import { AddTestDeviceForm } from './AddTestDeviceForm.js';

const col = createColumnHelper<TestDeviceDto>();
const baseColumns = [
  col.accessor('name', { header: 'Name' }),
  col.accessor('mac', { header: 'MAC address', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('serial', { header: 'Serial number', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('createdAt', { header: 'Added', cell: (c) => formatTime(c.getValue()) }),
];

export function TestDevicesTab({ canChange }: { canChange: boolean }) {
  const devices = useLoad(useCallback(() => listTestDevices(), []));
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();

  const remove = useCallback(
    async (d: TestDeviceDto) => {
      setError(undefined);
      try {
        await removeTestDevice(d.id);
        setStatus(`Removed test device “${d.name}”.`);
        await devices.reload();
      } catch (e) {
        setError(errorText(e));
      }
    },
    [devices.reload],
  );

  const columns = useMemo(
    () =>
      canChange
        ? [
            ...baseColumns,
            col.display({
              id: 'actions',
              header: () => <span className="visually-hidden">Actions</span>,
              cell: ({ row }) => (
                <button type="button" className="small" aria-label={`Remove ${row.original.name}`} onClick={() => void remove(row.original)}>
                  Remove
                </button>
              ),
            }),
          ]
        : baseColumns,
    [canChange, remove],
  );

  return (
    <>
      <p className="intro">Phones listed here by MAC address or serial number are offered pending versions before they are approved.</p>
      {canChange && (
        <AddTestDeviceForm
          onAdded={(d) => {
            setStatus(`Added test device “${d.name}”.`);
            setError(undefined);
            void devices.reload();
          }}
        />
      )}
      <Notice error={error ?? devices.error} status={status} />
      {devices.data ? (
        <DataTable label="Test devices" data={devices.data} columns={columns} getRowId={(d) => String(d.id)} empty="No test devices yet." />
      ) : (
        devices.loading && <p className="muted">Loading…</p>
      )}
    </>
  );
}
