// Test devices get pending versions before everyone else. Listed, added, edited and removed (after asking) here.
// One notice for the tab: the outcome of the last change, or why it failed.
import { useCallback, useMemo, useRef, useState } from 'react';
import { Button } from '@fluentui/react-components';
import { createColumnHelper } from '@tanstack/react-table';
import type { TestDeviceDto } from '../../../shared/admin-api.js';
import { formatMac, type MacNotation } from '../../../shared/mac.js';
import { errorText, listTestDevices, removeTestDevice } from '../../api.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DataTable } from '../../components/DataTable.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { formatTime } from '../../format.js';
import { useMacNotation } from '../../mac-notation.js';
import { useLoad } from '../../use-load.js';
import { TestDeviceForm } from './TestDeviceForm.js';

const col = createColumnHelper<TestDeviceDto>();
const columnsIn = (notation: MacNotation) => {
  const mac = (m: string | null) => (m ? formatMac(m, notation) : '—');
  return [
    col.accessor('name', { header: 'Name' }),
    col.accessor('mac', { header: 'MAC address', cell: (c) => mac(c.getValue()), meta: { filterText: mac } }),
    col.accessor('serial', { header: 'Serial number', cell: (c) => c.getValue() ?? '—' }),
    col.accessor('createdAt', { header: 'Added', cell: (c) => formatTime(c.getValue()), meta: { filterText: formatTime } }),
  ];
};

export function TestDevicesTab({ canChange }: { canChange: boolean }) {
  const devices = useLoad(useCallback(() => listTestDevices(), []));
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<TestDeviceDto>();
  const [removing, setRemoving] = useState<TestDeviceDto>();
  const [removeError, setRemoveError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { notation } = useMacNotation();
  // The Edit button that opened the form gets the focus back when editing ends.
  const editButton = useRef<HTMLButtonElement | null>(null);

  const remove = async (d: TestDeviceDto) => {
    setBusy(true);
    try {
      await removeTestDevice(d.id);
      setRemoving(undefined);
      setError(undefined);
      setStatus(`Removed test device “${d.name}”.`);
      setEditing((e) => (e?.id === d.id ? undefined : e));
      await devices.reload();
    } catch (e) {
      setRemoveError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const askRemove = useCallback((d: TestDeviceDto) => {
    setRemoveError(undefined);
    setRemoving(d);
  }, []);

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
            ...columnsIn(notation),
            col.display({
              id: 'actions',
              enableHiding: false,
              header: () => <span className="visually-hidden">Actions</span>,
              cell: ({ row }) => (
                <span className="row-actions">
                  <Button size="small" aria-label={`Edit ${row.original.name}`} onClick={(e) => edit(row.original, e.currentTarget)}>
                    Edit
                  </Button>
                  <Button size="small" aria-label={`Remove ${row.original.name}`} onClick={() => askRemove(row.original)}>
                    Remove
                  </Button>
                </span>
              ),
            }),
          ]
        : columnsIn(notation),
    [canChange, edit, askRemove, notation],
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
          onFailed={(message) => {
            setStatus(undefined);
            setError(message);
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
      {removing && (
        <ConfirmDialog
          title={`Remove test device “${removing.name}”?`}
          confirmLabel="Remove"
          busy={busy}
          error={removeError}
          onConfirm={() => void remove(removing)}
          onCancel={() => setRemoving(undefined)}
        >
          <p>From its next update check, the phone is offered only approved versions, like every other phone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
