// "Why does this phone (not) update?": the decision engine run for a phone described by hand (or taken from the
// inventory), with its trace in words. The same check as the phone path, so the answer cannot drift from it.
import type { ExplainInput, ExplanationDto } from '../../shared/admin-api.js';
import { explainInput } from '../../shared/admin-api.js';
import { normaliseMac } from '../../shared/mac.js';
import type { DeviceRequest } from '../domain/device.js';
import { AppError, parseInput } from './app-error.js';
import type { CatalogSnapshot } from './catalog.js';
import { parseUpdateResponse } from '../phone/dialect.js';
import { checkForUpdate, matchTestDevice } from './update-check.js';

/** `internalBase`: the URL phones use when no internalUrl is set (the phone path takes it from the Host header). */
export function explainPhone(snap: CatalogSnapshot, input: ExplainInput, internalBase: string, now: Date): ExplanationDto {
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
  const s = snap.settings;
  const base = s.internalUrl || internalBase;
  if (!s.externalUrl) notes.push('No external URL is set (externalUrl): ExternalBaseURL repeats the internal URL, so phones outside cannot download.');
  const { decision, xml } = checkForUpdate(snap, request, { internalBase: base, externalBase: s.externalUrl || base, external: d.external, now });
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
