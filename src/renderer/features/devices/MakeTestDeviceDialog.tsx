// "Make test device" from a phone's row: asks first (the phone will get versions nobody approved yet), then adds it
// by its MAC address (else its serial number) under a name an admin recognises.
import { useState } from 'react';
import type { DeviceDto } from '../../../shared/inventory-api.js';
import type { MacNotation } from '../../../shared/mac.js';
import { addTestDevice, errorText, type TestDeviceInput } from '../../api.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { useMacNotation } from '../../mac-notation.js';
import { phoneName } from './device-words.js';

/** The test device a phone becomes: named by its model and user (else its MAC or serial). */
export const testDeviceOf = (d: DeviceDto, notation: MacNotation): TestDeviceInput => ({
  name: `${d.model} ${d.userName || phoneName(d, notation)}`,
  mac: d.mac,
  serial: d.mac ? null : d.serial,
});

/** What an admin reads once a phone is a test device. */
export const madeTestDevice = (name: string) => `Added test device “${name}”: it is offered pending versions from its next update check.`;

export interface MakeTestDeviceDialogProps {
  device: DeviceDto;
  onDone: (outcome: string) => void;
  onCancel: () => void;
}

export function MakeTestDeviceDialog({ device, onDone, onCancel }: MakeTestDeviceDialogProps) {
  const { notation } = useMacNotation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const input = testDeviceOf(device, notation);

  const confirm = async () => {
    setBusy(true);
    try {
      const added = await addTestDevice(input);
      onDone(madeTestDevice(added.name));
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  return (
    <ConfirmDialog title={`Make ${phoneName(device, notation)} a test device?`} confirmLabel="Make test device" busy={busy} error={error} onConfirm={() => void confirm()} onCancel={onCancel}>
      <p>
        “{input.name}” will be offered pending versions before they are approved, from its next update check. Remove it from Test Devices to
        stop that.
      </p>
    </ConfirmDialog>
  );
}
