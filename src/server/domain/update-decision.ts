// Which update a phone gets, and why: protocol.md section 5 as one pure function.
// No I/O and no clock, so every case can be tested and the trace shown to admins as the explanation.
import { compareVersions, NEVER_UPDATED, parseVersion, type Version } from '../../shared/version.js';
import type { DeviceRequest, Image, ImageFile, RuleKey, UpdateRule } from './device.js';
import { ruleKeyPath } from './device.js';

export interface DecisionSettings {
  /** Phones of type UCPhone at (or below) this version get the interim image first. */
  interimThreshold: Version;
  /** true: "at or below" the threshold (the default); false: strictly below. */
  interimInclusive: boolean;
  /** OCS R2 served RoundTable updates as soon as they were uploaded, approved or not. */
  roundTableServesPending: boolean;
}

export interface RuleWithImages {
  rule: UpdateRule;
  /** The images the store holds for this rule, by version. */
  images: ReadonlyMap<string, Image>;
}

export interface DecisionInput {
  request: DeviceRequest;
  /** The test device entry the phone matched (by MAC or serial), if any. */
  testDevice: { name: string; matchedBy: 'mac' | 'serial' } | null;
  /** Every rule for the phone's DeviceType/Vendor/Model/Revision, all locales and update types. */
  rules: readonly RuleWithImages[];
  /** The interim images the admin supplied, by locale (upper case). */
  interim: ReadonlyMap<string, Image>;
  settings: DecisionSettings;
}

export interface Offer {
  source: 'rule' | 'interim';
  ruleId: number;
  updateType: string;
  installed: Version;
  version: Version;
  files: ImageFile[];
  /** The image folder below DeviceUpdateFiles_Int/ (or _Ext/), e.g. UCPhone/Polycom/CX700/A/ENU/3.5.6907.0/CPE */
  folder: string;
}

export type NoneReason =
  | 'unknown-device'
  | 'no-rule-for-locale'
  | 'not-approved'
  | 'pending-not-test-device'
  | 'up-to-date'
  | 'image-missing'
  | 'interim-missing';

export interface Decision {
  offers: Offer[];
  /** Why nothing is offered for the first rule that offered nothing (null when something is offered). */
  reason: NoneReason | null;
  /** Locales with a rule for this model, e.g. ['DEU', 'ENU'], as the LangList element shows them. */
  langList: string[];
  trace: string[];
}

export const INTERIM_VERSION = '1.0.522.103' as Version;

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function decideUpdate(input: DecisionInput): Decision {
  const { request, testDevice, rules } = input;
  const trace: string[] = [];
  const device = `${request.deviceType}/${request.vendor}/${request.model}/${request.revision}`;
  const langList = [...new Set(rules.map((r) => r.rule.locale.toUpperCase()))].sort();

  trace.push(
    testDevice
      ? `The phone is test device "${testDevice.name}" (matched by ${testDevice.matchedBy === 'mac' ? 'MAC address' : 'serial number'}), so it gets a pending version when there is one.`
      : 'The phone is not a test device, so it gets approved versions only.',
  );

  if (rules.length === 0) {
    trace.push(`No imported package has images for ${device}. Import a package that contains this model and revision.`);
    return { offers: [], reason: 'unknown-device', langList, trace };
  }
  const forLocale = rules.filter((r) => eq(r.rule.locale, request.locale));
  if (forLocale.length === 0) {
    trace.push(
      `There are rules for ${device} in ${langList.join(', ')}, but none for the phone's locale "${request.locale}". ` +
        'The phone reports 0x0/200 and never updates: import the package for its language, or change the phone language.',
    );
    return { offers: [], reason: 'no-rule-for-locale', langList, trace };
  }

  const offers: Offer[] = [];
  let reason: NoneReason | null = null;
  for (const entry of forLocale) {
    const outcome = decideRule(entry, input, trace);
    if ('offer' in outcome) offers.push(outcome.offer);
    else reason ??= outcome.reason;
  }
  return { offers, reason: offers.length > 0 ? null : reason, langList, trace };
}

function decideRule(
  { rule, images }: RuleWithImages,
  input: DecisionInput,
  trace: string[],
): { offer: Offer } | { reason: NoneReason } {
  const { request, testDevice, settings } = input;
  const path = ruleKeyPath(rule);
  const installed = installedVersion(rule, images, request, trace);

  const roundTableEarly = settings.roundTableServesPending && eq(rule.deviceType, 'RoundTable');
  let target: Version | null;
  if ((testDevice || roundTableEarly) && rule.pending) {
    target = rule.pending;
    trace.push(
      `Rule ${path}: pending version ${rule.pending} applies` +
        (testDevice ? ' to this test device.' : ' because RoundTable updates are served before approval (setting).'),
    );
  } else if (rule.approved) {
    target = rule.approved;
    trace.push(`Rule ${path}: approved version ${rule.approved} applies.`);
  } else {
    target = null;
  }
  if (!target) {
    if (rule.pending) {
      trace.push(
        `Rule ${path}: version ${rule.pending} is pending, not approved, and this phone is not a test device. Approve it, or add the phone as a test device.`,
      );
      return { reason: 'pending-not-test-device' };
    }
    trace.push(`Rule ${path}: no version is approved${testDevice ? ' or pending' : ''}.`);
    return { reason: 'not-approved' };
  }

  if (compareVersions(installed, target) === 0) {
    trace.push(`The phone already runs ${target}: nothing to offer.`);
    return { reason: 'up-to-date' };
  }
  const image = images.get(target);
  if (!image) {
    trace.push(`The files of ${path}/${target} are not in the store: re-import the package that contains them.`);
    return { reason: 'image-missing' };
  }

  if (needsInterim(rule, installed, target, settings)) {
    const interim = input.interim.get(rule.locale.toUpperCase());
    const cmp = settings.interimInclusive ? 'at or below' : 'below';
    if (!interim) {
      trace.push(
        `The phone runs ${installed}, ${cmp} ${settings.interimThreshold}: it must first install the interim build ${INTERIM_VERSION}, ` +
          `but no interim image for locale ${rule.locale.toUpperCase()} is in the store. Import the interim image (ucupdates import --interim).`,
      );
      return { reason: 'interim-missing' };
    }
    trace.push(
      `The phone runs ${installed}, ${cmp} ${settings.interimThreshold}: it gets the interim build ${interim.version} first, then ${target} after it restarts.`,
    );
    return {
      offer: {
        source: 'interim',
        ruleId: rule.id,
        updateType: rule.updateType,
        installed,
        version: interim.version,
        files: interim.files,
        folder: `OCInterim/${rule.locale.toUpperCase()}`,
      },
    };
  }

  const direction = compareVersions(target, installed) < 0 ? 'older than' : 'newer than';
  trace.push(`Offering ${target}, ${direction} the installed ${installed}${direction === 'older than' ? ' (a rollback)' : ''}.`);
  return {
    offer: {
      source: 'rule',
      ruleId: rule.id,
      updateType: rule.updateType,
      installed,
      version: target,
      files: image.files,
      folder: `${path.split('/').slice(0, 5).join('/')}/${target}/${rule.updateType}`,
    },
  };
}

/** The version of the module this rule updates: the reported file named like the update type (cpe.nbt for CPE). */
function installedVersion(rule: UpdateRule, images: ReadonlyMap<string, Image>, request: DeviceRequest, trace: string[]): Version {
  const imageNames = new Set<string>();
  for (const img of images.values()) for (const f of img.files) imageNames.add(f.fileName.toLowerCase());
  const mod = request.modules.find((m) => {
    const name = m.fileName.toLowerCase();
    return name.split('.')[0] === rule.updateType.toLowerCase() || imageNames.has(name);
  });
  if (!mod) {
    trace.push(`The phone reports no ${rule.updateType} module: treated as never updated (${NEVER_UPDATED}).`);
    return NEVER_UPDATED;
  }
  const version = parseVersion(mod.version);
  if (!version) {
    trace.push(`The phone reports ${mod.fileName} with an unreadable version "${mod.version}": treated as ${NEVER_UPDATED}.`);
    return NEVER_UPDATED;
  }
  trace.push(`The phone reports ${mod.fileName} at ${version}.`);
  return version;
}

function needsInterim(rule: RuleKey, installed: Version, target: Version, s: DecisionSettings): boolean {
  return takesInterimFirst(rule.deviceType, installed, s) && compareVersions(target, INTERIM_VERSION) > 0;
}

/**
 * A phone of this type running this version is sent the interim build before any newer one: a UCPhone at or below
 * the threshold (strictly below when not inclusive). The rules' overview counts the phones an interim image serves by it.
 */
export function takesInterimFirst(deviceType: string, installed: Version, s: Pick<DecisionSettings, 'interimThreshold' | 'interimInclusive'>): boolean {
  if (!eq(deviceType, 'UCPhone')) return false;
  const c = compareVersions(installed, s.interimThreshold);
  return s.interimInclusive ? c <= 0 : c < 0;
}
