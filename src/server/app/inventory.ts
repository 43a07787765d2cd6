// The device inventory for admins: phones listed, filtered, searched and counted by state, each state with its reason.
import type { DeviceDto, DeviceListDto, DeviceQuery } from '../../shared/inventory-api.js';
import { deviceState, stateCutoffs, type StateThresholds } from '../domain/device-state.js';
import type { StoredDevice } from '../infra/db/devices-repo.js';
import { AppError } from './app-error.js';
import type { Store } from './store.js';

function thresholds(store: Store): StateThresholds {
  const s = store.settings.read();
  return { stuckHours: s.deviceStuckHours, silentDays: s.deviceSilentDays };
}

function toDto(d: StoredDevice, now: Date, t: StateThresholds): DeviceDto {
  const { identity: _identity, offeredFolder: _folder, mac, serial, ...rest } = d;
  return { ...rest, mac: mac || null, serial: serial || null, ...deviceState(d, now, t) };
}

export function listDevices(store: Store, q: DeviceQuery): DeviceListDto {
  const now = store.now();
  const t = thresholds(store);
  const cutoffs = stateCutoffs(now, t);
  const { state, model, version, locale, q: search } = q;
  const others = { model, version, locale, q: search };
  const order = q.order ?? (q.sort === 'lastSeen' || q.sort === 'firstSeen' ? 'desc' : 'asc');
  const counts = store.devices.countByState(others, cutoffs);
  return {
    total: state ? counts[state] : Object.values(counts).reduce((a, b) => a + b, 0),
    counts,
    devices: store.devices.list({ ...others, state }, cutoffs, q.sort, order, q.limit, q.offset).map((d) => toDto(d, now, t)),
    thresholds: t,
  };
}

export function getDevice(store: Store, id: number): DeviceDto {
  const d = store.devices.get(id);
  if (!d) throw new AppError('not_found', `There is no device with id ${id} in the inventory.`);
  return toDto(d, store.now(), thresholds(store));
}
