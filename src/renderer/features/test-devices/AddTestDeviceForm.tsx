// Adds a test device by MAC address or serial number. The server validates; its message appears next to the
// field it names (or above the form when it names none).
import { useState, type FormEvent } from 'react';
import type { TestDeviceDto } from '../../../shared/admin-api.js';
import { addTestDevice, ApiError, errorText } from '../../api.js';
import { Notice } from '../../components/Notice.js';
import { Field } from '../../components/Field.js';

const EMPTY = { name: '', mac: '', serial: '' };
type FieldName = keyof typeof EMPTY;

export function AddTestDeviceForm({ onAdded }: { onAdded: (device: TestDeviceDto) => void }) {
  const [values, setValues] = useState(EMPTY);
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [busy, setBusy] = useState(false);

  const set = (field: FieldName) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  const fieldError = (field: FieldName) => (error?.field === field ? error.message : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const device = await addTestDevice({ name: values.name, mac: values.mac || null, serial: values.serial || null });
      setValues(EMPTY);
      setError(undefined);
      onAdded(device);
    } catch (err) {
      setError(err instanceof ApiError && err.field ? { field: err.field, message: err.message } : { message: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const general = error && !(['name', 'mac', 'serial'] as string[]).includes(error.field ?? '') ? error.message : undefined;
  return (
    <form className="add-form" onSubmit={(e) => void submit(e)} aria-labelledby="add-device-title" noValidate>
      <h2 id="add-device-title">Add a test device</h2>
      <div className="fields">
        <Field id="device-name" label="Name" value={values.name} onChange={set('name')} error={fieldError('name')} />
        <Field
          id="device-mac"
          label="MAC address"
          hint="e.g. 00-21-63-0F-20-7B"
          value={values.mac}
          onChange={set('mac')}
          error={fieldError('mac')}
        />
        <Field id="device-serial" label="Serial number" value={values.serial} onChange={set('serial')} error={fieldError('serial')} />
        <button type="submit" className="primary" disabled={busy}>
          Add
        </button>
      </div>
      <Notice error={general} />
    </form>
  );
}
