// How a phone's state and identity read in the console (the table, its page, the dashboard).
import type { DeviceDto, DeviceState } from '../../../shared/inventory-api.js';
import { formatMac, type MacNotation } from '../../../shared/mac.js';

export const STATE_LABEL: Record<DeviceState, string> = {
  'up-to-date': 'Up to date',
  blocked: 'Can’t update',
  behind: 'Behind',
  offered: 'Offered',
  downloaded: 'Downloaded',
  updated: 'Updated',
  stuck: 'Stuck',
  silent: 'Silent',
};

/** The colour of a state's badge: trouble stands out, the rest stays calm. */
export const STATE_COLOR: Record<DeviceState, 'success' | 'informative' | 'brand' | 'danger' | 'subtle'> = {
  'up-to-date': 'success',
  blocked: 'danger',
  behind: 'informative',
  offered: 'brand',
  downloaded: 'brand',
  updated: 'success',
  stuck: 'danger',
  silent: 'subtle',
};

/** The phone as an admin knows it: its MAC address (in the admin's notation), else its serial number. */
export const phoneName = (d: Pick<DeviceDto, 'mac' | 'serial' | 'id'>, notation: MacNotation): string =>
  d.mac ? formatMac(d.mac, notation) : (d.serial ?? `phone ${d.id}`);
