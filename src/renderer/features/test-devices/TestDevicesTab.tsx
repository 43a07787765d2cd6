// Test devices get pending versions before everyone else. Listed, added, edited and removed here.
import { useCallback, useMemo, useRef, useState } from 'react';
import { Button } from '@fluentui/react-components';
import { createColumnHelper } from '@tanstack/react-table';
import type { TestDeviceDto } from '../../../shared/admin-api.js';
import { errorText, listTestDevices, removeTestDevice } from '../../api.js';
import { DataTable } from '../../components/DataTable.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { formatTime } from '../../format.js';
import { useLoad } from '../../use-load.js';
import { TestDeviceForm } from './TestDeviceForm.js';

const col = createColumnHelper<TestDeviceDto>();
const baseColumns = [
  col.accessor('name', { header: 'Name' }),
  col.accessor('mac', { header: 'MAC address', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('serial', { header: 'Serial number', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('createdAt', { header: 'Added', cell: (c) => formatTime(c.getValue()), meta: { filterText: formatTime } }),
];

export function TestDevicesTab({ canChange }: { canChange: boolean }) {
  const devices = useLoad(useCallback(() => listTestDevices(), []));
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<TestDeviceDto>();
  // The Edit button that opened the form gets the focus back when editing ends.
  const editButton = useRef<HTMLButtonElement | null>(null);

  const remove = useCallback(
    async (d: TestDeviceDto) => {
      setError(undefined);
      try {
        await removeTestDevice(d.id);
        setStatus(`Removed test device “${d.name}”.`);
        setEditing((e) => (e?.id === d.id ? undefined : e));
        await devices.reload();
      } catch (e) {
        setError(errorText(e));
      }
    },
    [devices.reload],
  );

  const edit = useCallback((d: TestDeviceDto, button: HTMLButtonElement) => {
    editButton.current = button;
    setStatus(undefined);
    setError(undefined);
    setEditing(d);
  }, []);

  const stopEditing = () => {
    setEditing(undefined);
    const button = editButton.current;
    editButton.current = null;
    if (button?.isConnected) requestAnimationFrame(() => button.focus());
  };

  const columns = useMemo(
    () =>
      canChange
        ? [
            ...baseColumns,
            col.display({
              id: 'actions',
              enableHiding: false,
              header: () => <span className="visually-hidden">Actions</span>,
              cell: ({ row }) => (
                <span className="row-actions">
                  <Button size="small" aria-label={`Edit ${row.original.name}`} onClick={(e) => edit(row.original, e.currentTarget)}>
                    Edit
                  </Button>
                  <Button size="small" aria-label={`Remove ${row.original.name}`} onClick={() => void remove(row.original)}>
                    Remove
                  </Button>
                </span>
              ),
            }),
          ]
        : baseColumns,
    [canChange, edit, remove],
  );

  return (
    <>
      <p className="intro">Phones listed here by MAC address or serial number are offered pending versions before they are approved.</p>
      {canChange && (
        <TestDeviceForm
          key={editing ? `edit-${editing.id}` : 'add'}
          device={editing}
          onSaved={(d) => {
            setStatus(editing ? `Saved test device “${d.name}”.` : `Added test device “${d.name}”.`);
            setError(undefined);
            if (editing) stopEditing();
            void devices.reload();
          }}
          {...(editing ? { onCancel: stopEditing } : {})}
        />
      )}
      <Notice error={error ?? devices.error} status={status} />
      {devices.data ? (
        <DataTable
          id="test-devices"
          label="Test devices"
          noun="test device"
          data={devices.data}
          columns={columns}
          getRowId={(d) => String(d.id)}
          empty="No test devices yet."
        />
      ) : (
        devices.loading && <Loading />
      )}
    </>
  );
}
