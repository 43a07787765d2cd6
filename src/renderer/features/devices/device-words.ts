// How a phone's state and identity read in the console (the table, its page, the dashboard).
import type { DeviceDto, DeviceState } from '../../../shared/inventory-api.js';

export const STATE_LABEL: Record<DeviceState, string> = {
  'up-to-date': 'Up to date',
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
  behind: 'informative',
  offered: 'brand',
  downloaded: 'brand',
  updated: 'success',
  stuck: 'danger',
  silent: 'subtle',
};

/** 0021630F207B as the phone's label shows it: 00-21-63-0F-20-7B. */
export const formatMac = (mac: string): string => mac.replace(/(..)(?!$)/g, '$1-');

/** The phone as an admin knows it: its MAC address, else its serial number. */
export const phoneName = (d: Pick<DeviceDto, 'mac' | 'serial' | 'id'>): string => (d.mac ? formatMac(d.mac) : (d.serial ?? `phone ${d.id}`));
