// Test devices: added, edited and removed by MAC or serial number, validated and normalised, with history.
import { formatMac, normaliseMac } from '../../shared/mac.js';
import { AppError } from './app-error.js';
import type { Store } from './store.js';
import type { Repos, TestDevice } from './store-contract.js';

export interface TestDeviceInput {
  name: string;
  mac?: string | null;
  serial?: string | null;
}

async function validate(store: Repos, input: TestDeviceInput, exceptId?: number) {
  const name = input.name.trim();
  if (!name) throw new AppError('invalid_input', 'Give the test device a name.', 'name');
  if (name.length > 200) throw new AppError('invalid_input', 'The name is longer than 200 characters.', 'name');
  let mac: string | null = null;
  if (input.mac && input.mac.trim()) {
    mac = normaliseMac(input.mac) ?? null;
    if (!mac) {
      throw new AppError(
        'invalid_input',
        `"${input.mac}" is not a MAC address: give 12 hexadecimal digits, e.g. 0021630F207B or 00-21-63-0F-20-7B.`,
        'mac',
      );
    }
  }
  const serial = input.serial?.trim() || null;
  if (serial && !/^[\x21-\x7e]{1,64}$/.test(serial)) {
    throw new AppError('invalid_input', 'A serial number is 1 to 64 printable characters without spaces.', 'serial');
  }
  if (!mac && !serial) throw new AppError('invalid_input', 'Give a MAC address or a serial number (or both).', 'mac');
  const clash = await store.testDevices.findConflict(mac, serial, exceptId);
  if (clash) {
    throw new AppError('conflict', `Test device "${clash.name}" already has ${clash.mac === mac && mac ? `MAC ${formatMac(mac, (await store.settings.read()).macNotation)}` : `serial ${serial}`}.`);
  }
  return { name, mac, serial };
}

export function addTestDevice(store: Store, input: TestDeviceInput, actor: string): Promise<TestDevice> {
  return store.write(async (tx, now) => {
    const d = await validate(tx, input);
    const id = await tx.testDevices.add(d, now);
    return { result: (await tx.testDevices.get(id))!, history: { actor, action: 'add-test-device', target: d.name, details: d } };
  });
}

export function updateTestDevice(store: Store, id: number, input: TestDeviceInput, actor: string): Promise<TestDevice> {
  return store.write(async (tx) => {
    const before = await tx.testDevices.get(id);
    if (!before) throw new AppError('not_found', `There is no test device with id ${id}.`);
    const d = await validate(tx, input, id);
    await tx.testDevices.update(id, d);
    return { result: (await tx.testDevices.get(id))!, history: { actor, action: 'edit-test-device', target: d.name, details: { before, after: d } } };
  });
}

export function removeTestDevice(store: Store, id: number, actor: string): Promise<TestDevice> {
  return store.write(async (tx) => {
    const before = await tx.testDevices.get(id);
    if (!before) throw new AppError('not_found', `There is no test device with id ${id}.`);
    await tx.testDevices.remove(id);
    return { result: before, history: { actor, action: 'remove-test-device', target: before.name, details: { ...before } } };
  });
}
