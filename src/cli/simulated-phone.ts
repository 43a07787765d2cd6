// The phone `ucupdates simulate` plays unless told otherwise (phone-simulator.ts sends it).
import type { DeviceRequest } from '../server/domain/device.js';

/** A phone as the simulator plays it: the request's fields, with one CPE module at `version`. */
export type SimulatedPhone = Pick<DeviceRequest, 'deviceType' | 'serial' | 'vendor' | 'model' | 'revision' | 'locale' | 'userName'> & {
  /** Sent as written (any notation, or invalid on purpose). */
  mac: string;
  /** The installed version of the CPE module; 0.0.0.0 for a phone that never updated. */
  version: string;
};

export const DEFAULT_PHONE: SimulatedPhone = {
  deviceType: 'UCPhone',
  mac: '0021630F207B',
  serial: 'C185H001209',
  vendor: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  userName: '',
  version: '0.0.0.0',
};
