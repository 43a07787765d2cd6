// The device-side vocabulary shared by the decision engine, the phone dialect and the logs.
import type { Version } from '../../shared/version.js';

/** One module a phone reports, as it sent it: "cpe.nbt;1.0.522.34;01-01-1601 00:00:00". */
export interface ModuleReport {
  fileName: string;
  version: string;
  timestamp: string;
}

/** What an update check tells us about the phone. Strings are trimmed; absent fields are ''. */
export interface DeviceRequest {
  deviceType: string;
  /** Normalised to 12 upper-case hex digits, or '' when blank or invalid. */
  mac: string;
  /** The MAC exactly as sent (for the audit log and for explaining an invalid one). */
  macRaw: string;
  serial: string;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  userName: string;
  /** The phone's own time of the request, if it sent one (written to the audit log as-is). */
  requestTime: string;
  modules: ModuleReport[];
}

/** The identity of an update rule: the folder path of an image in the store, minus version. */
export interface RuleKey {
  deviceType: string;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  updateType: string;
}

export interface ImageFile {
  fileName: string;
  /** The file's time as shipped in the package, "dd-MM-yyyy HH:mm:ss" like OCS logs it. */
  timestamp: string;
  size: number;
}

/** An image stored for a rule at one version: the files of <key>/<version>/<UpdateType>/. */
export interface Image {
  version: Version;
  files: ImageFile[];
}

export interface UpdateRule extends RuleKey {
  id: number;
  approved: Version | null;
  pending: Version | null;
  restore: Version | null;
}

export function ruleKeyPath(key: RuleKey): string {
  return [key.deviceType, key.vendor, key.model, key.revision, key.locale, key.updateType].join('/');
}

/** Case-insensitive identity of a device model (what IIS's case-insensitive paths made of it). */
export function modelKey(k: Pick<RuleKey, 'deviceType' | 'vendor' | 'model' | 'revision'>): string {
  return [k.deviceType, k.vendor, k.model, k.revision].join('/').toLowerCase();
}
