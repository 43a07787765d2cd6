// "Why does this phone (not) update?": the decision engine run for a phone described by hand (or taken from the
// inventory), with its trace in words. The same check as the phone path, so the answer cannot drift from it.
import type { ExplainInput, ExplanationDto } from '../../shared/admin-api.js';
import { explainInput } from '../../shared/admin-api.js';
import { normaliseMac } from '../../shared/mac.js';
import type { DeviceRequest } from '../domain/device.js';
import { deviceIdentity } from '../domain/device-state.js';
import { AppError, parseInput } from './app-error.js';
import type { CatalogSnapshot } from './catalog.js';
import { phoneBaseUrls, type PhoneConnection } from '../domain/phone-base-urls.js';
import { parseUpdateResponse, routePhoneRequest } from '../phone/dialect.js';
import { deviceHistory } from './device-history.js';
import type { Store } from './store.js';
import { checkForUpdate, matchTestDevice } from './update-check.js';

/**
 * `reached`: how the phone reaches the server (its Host header and listener): the running phone HTTP listener, or
 * what this phone was really given (`givenConnection`). The URLs are made by the phone path's own rule from it.
 */
export function explainPhone(snap: CatalogSnapshot, input: ExplainInput, reached: PhoneConnection, now: Date): ExplanationDto {
  const d = parseInput(explainInput, input);
  const notes: string[] = [];
  const mac = d.mac ? normaliseMac(d.mac) : '';
  if (mac === undefined) throw new AppError('invalid_input', `"${d.mac}" is not a MAC address (12 hex digits, e.g. 00-21-63-0F-20-7B).`, 'mac');
  const known = inferModel(snap, d, notes);
  const request: DeviceRequest = {
    ...known,
    locale: d.locale.toUpperCase(),
    mac,
    macRaw: d.mac ?? '',
    serial: d.serial ?? '',
    userName: '',
    requestTime: '',
    modules: [{ fileName: 'cpe.nbt', version: d.version, timestamp: '01-01-1601 00:00:00' }],
  };
  if (!snap.settings.externalUrl) notes.push('No external URL is set (externalUrl): ExternalBaseURL repeats the internal URL, so phones outside cannot download.');
  const { decision, xml } = checkForUpdate(snap, request, { ...phoneBaseUrls(reached, snap.settings), external: d.external, now });
  const offer = decision.offers[0];
  // The URLs exactly as the phone reads them from the answer.
  const answer = parseUpdateResponse(xml);
  return {
    phone: { deviceType: request.deviceType, vendor: request.vendor, model: request.model, revision: request.revision, locale: request.locale, version: d.version, mac, serial: request.serial },
    testDevice: matchTestDevice(snap, request)?.name ?? null,
    offered: offer
      ? { version: offer.version, source: offer.source, baseUrl: answer.baseUrl, externalBaseUrl: answer.externalBaseUrl, files: offer.files.map((f) => f.fileName) }
      : null,
    reason: decision.reason,
    langList: decision.langList,
    trace: decision.trace,
    notes,
  };
}

/** Fills in device type, vendor and revision from the imported rules when the admin named only the model. */
function inferModel(snap: CatalogSnapshot, d: ReturnType<typeof explainInput.parse>, notes: string[]) {
  const same = (a: string | undefined, b: string) => a === undefined || a.toLowerCase() === b.toLowerCase();
  const matches = [...snap.rulesByModel.values()]
    .map((list) => list[0]!.rule)
    .filter((r) => same(d.model, r.model) && same(d.vendor, r.vendor) && same(d.deviceType, r.deviceType) && same(d.revision, r.revision));
  const one = (pick: (r: (typeof matches)[number]) => string, given: string | undefined, fallback: string, what: string) => {
    const found = [...new Set(matches.map(pick))].sort();
    if (given !== undefined || found.length === 0) return given ?? fallback;
    const chosen = found.find((f) => f.toLowerCase() === fallback.toLowerCase()) ?? found[0]!;
    notes.push(
      found.length === 1
        ? `Assumed ${what} ${chosen} (the only one imported for ${d.model}).`
        : `Assumed ${what} ${chosen} of ${found.join(', ')} imported for ${d.model}: give the ${what} to choose another.`,
    );
    return chosen;
  };
  return {
    deviceType: one((r) => r.deviceType, d.deviceType, 'UCPhone', 'device type'),
    vendor: one((r) => r.vendor, d.vendor, '', 'vendor'),
    model: d.model,
    revision: one((r) => r.revision, d.revision, 'A', 'revision'),
  };
}

/** A phone listener's URL (http://localhost:8080) as the connection a phone makes to it. */
export function listenerConnection(url: string): PhoneConnection {
  const u = new URL(url);
  return { host: u.host, encrypted: u.protocol === 'https:', localAddress: undefined, localPort: undefined };
}

/**
 * How a phone the inventory knows really reached the server: the host of the newest internal image URL the audit
 * log shows it was given (an external one names the proxy, not the host it asked). Undefined when none is known.
 */
export async function givenConnection(store: Store, input: Pick<ExplainInput, 'mac' | 'serial'>): Promise<PhoneConnection | undefined> {
  const identity = deviceIdentity({ mac: (input.mac && normaliseMac(input.mac)) || '', serial: input.serial ?? '' });
  const known = identity ? (await store.devices.findAll([identity])).get(identity) : undefined;
  if (!known) return undefined;
  for (const entry of (await deviceHistory(store, known.id, 50)).entries) {
    for (const url of entry.response) {
      const route = routePhoneRequest(new URL(url).pathname);
      if (route.kind === 'file' && !route.external) return listenerConnection(url);
    }
  }
  return undefined;
}
