// The inventory's list on a real store: counts by state are reused between writes (the Devices tab asks for every
// chip and page), recounted at once after this server writes, and after ten seconds for other processes' writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InventoryRecorder } from '../../src/server/app/inventory-recorder.js';
import { listDevices } from '../../src/server/app/inventory.js';
import { Store } from '../../src/server/app/store.js';
import type { DeviceRequest } from '../../src/server/domain/device.js';
import type { Decision } from '../../src/server/domain/update-decision.js';
import { deviceQuery } from '../../src/shared/inventory-api.js';
import { tempDir } from '../helpers.js';

const phone = (n: number): DeviceRequest => ({
  deviceType: 'UCPhone',
  mac: `0004F200000${n}`,
  macRaw: `0004F200000${n}`,
  serial: '',
  vendor: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  userName: '',
  requestTime: '',
  modules: [{ fileName: 'cpe.nbt', version: '4.0.7577.4455', timestamp: '01-01-1601 00:00:00' }],
});
const NOTHING: Decision = { offers: [], reason: 'up-to-date', langList: ['ENU'], trace: [] };

test('counts by state: reused until this server writes, and for at most ten seconds', async () => {
  const tmp = await tempDir();
  let now = new Date('2026-01-01T08:00:00.000Z');
  const store = new Store(tmp.dir, () => now);
  const other = new Store(tmp.dir); // another process sharing the file, such as `ucupdates import-audit`
  const mine = new InventoryRecorder(store.engine);
  const theirs = new InventoryRecorder(other.engine);
  const total = async () => (await listDevices(store, deviceQuery.parse({}))).total;
  try {
    mine.check(now, '10.0.0.1', phone(1), NOTHING);
    await mine.flush();
    assert.equal(await total(), 1);
    theirs.check(now, '10.0.0.2', phone(2), NOTHING);
    await theirs.flush();
    assert.equal(await total(), 1, 'counted a moment ago: reused');
    assert.equal((await listDevices(store, deviceQuery.parse({ model: 'CX600' }))).total, 2, 'another filter is counted afresh');
    now = new Date(now.getTime() + 10_000);
    assert.equal(await total(), 2, 'ten seconds later: counted again');
    mine.check(now, '10.0.0.3', phone(3), NOTHING);
    await mine.flush();
    assert.equal(await total(), 3, 'this server wrote: counted again at once');
  } finally {
    await mine.close();
    await theirs.close();
    await other.close();
    await store.close();
    await tmp.remove();
  }
});
