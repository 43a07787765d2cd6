// Adds a test device by MAC address or serial number, or edits one (the same form, prefilled, with Save and
// Cancel). The server validates; its message appears next to the field it names, else in the tab's notice (as for a
// MAC address or serial number another test device already has): a failure replaces the last success there.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button } from '@fluentui/react-components';
import type { TestDeviceDto } from '../../../shared/admin-api.js';
import { formatMac } from '../../../shared/mac.js';
import { addTestDevice, ApiError, errorText, updateTestDevice } from '../../api.js';
import { TextField } from '../../components/Field.js';
import { useMacNotation } from '../../mac-notation.js';

const EMPTY = { name: '', mac: '', serial: '' };
type FieldName = keyof typeof EMPTY;

export interface TestDeviceFormProps {
  /** The test device to edit; without it the form adds one. */
  device?: TestDeviceDto | undefined;
  onSaved: (device: TestDeviceDto) => void;
  /** Saving failed: the message no field shows (undefined when a field shows it). */
  onFailed: (message: string | undefined) => void;
  /** Leaves editing with nothing changed. */
  onCancel?: () => void;
}

export function TestDeviceForm({ device, onSaved, onFailed, onCancel }: TestDeviceFormProps) {
  const { notation } = useMacNotation();
  const [values, setValues] = useState(() =>
    device ? { name: device.name, mac: device.mac ? formatMac(device.mac, notation) : '', serial: device.serial ?? '' } : EMPTY,
  );
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  // Editing starts in the form: its first field takes the focus.
  useEffect(() => {
    if (!device) return;
    formRef.current?.scrollIntoView({ block: 'nearest' });
    formRef.current?.querySelector('input')?.focus();
  }, [device]);

  const set = (field: FieldName) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  const fieldError = (field: FieldName) => (error?.field === field ? error.message : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const input = { name: values.name, mac: values.mac || null, serial: values.serial || null };
      const saved = device ? await updateTestDevice(device.id, input) : await addTestDevice(input);
      if (!device) setValues(EMPTY);
      setError(undefined);
      onSaved(saved);
    } catch (err) {
      const failed = err instanceof ApiError && err.field ? { field: err.field, message: err.message } : { message: errorText(err) };
      setError(failed);
      onFailed((['name', 'mac', 'serial'] as (string | undefined)[]).includes(failed.field) ? undefined : failed.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={formRef}
      className={device ? 'card add-form editing' : 'card add-form'}
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && onCancel && !busy) {
          e.preventDefault();
          onCancel();
        }
      }}
      aria-labelledby="device-form-title"
      noValidate
    >
      <h2 id="device-form-title">{device ? `Edit test device “${device.name}”` : 'Add a test device'}</h2>
      <div className="fields">
        <TextField size="small" id="device-name" label="Name" value={values.name} onChange={set('name')} error={fieldError('name')} />
        <TextField
          size="small"
          id="device-mac"
          label="MAC address"
          hint="e.g. 00-21-63-0F-20-7B"
          value={values.mac}
          onChange={set('mac')}
          error={fieldError('mac')}
        />
        <TextField size="small" id="device-serial" label="Serial number" value={values.serial} onChange={set('serial')} error={fieldError('serial')} />
        <div className="add-form-actions">
          <Button type="submit" size="small" appearance="primary" disabled={busy}>
            {device ? 'Save' : 'Add'}
          </Button>
          {onCancel && (
            <Button size="small" onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
          )}
        </div>
      </div>
    </form>
  );
}
