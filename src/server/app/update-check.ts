// One update check, end to end but for the wire: match the test device, run the decision, build the answer.
import { modelKey, type DeviceRequest } from '../domain/device.js';
import { decideUpdate, type Decision, type DecisionInput } from '../domain/update-decision.js';
import { fileUrl, renderUpdateResponse, type UpdateResponse } from '../phone/dialect.js';
import type { CatalogSnapshot } from './catalog.js';

export interface CheckContext {
  /** Base URLs (scheme://host[:port]) for this request: configured, or derived from the Host header. */
  internalBase: string;
  externalBase: string;
  external: boolean;
  now: Date;
}

export interface CheckResult {
  decision: Decision;
  /** The answer, rendered by the dialect. */
  xml: string;
  /** For the audit log: the image file URL(s) with version and timestamp, as OCS logged them. */
  logged: { url: string; version: string; timestamp: string }[];
}

export function matchTestDevice(snap: CatalogSnapshot, req: Pick<DeviceRequest, 'mac' | 'serial'>) {
  const byMac = req.mac ? snap.testByMac.get(req.mac) : undefined;
  if (byMac) return { name: byMac.name, matchedBy: 'mac' as const };
  const bySerial = req.serial ? snap.testBySerial.get(req.serial.toLowerCase()) : undefined;
  return bySerial ? { name: bySerial.name, matchedBy: 'serial' as const } : null;
}

/** An answer memoised per snapshot; its XML is rendered again only when CurrentTime's second changes. */
export interface MemoAnswer {
  decision: Decision;
  response: UpdateResponse;
  logged: CheckResult['logged'];
  xml: string;
  second: number;
}

/** The decision on the snapshot's rules: the phone path's, and the inventory's when it judges phones again. */
export function decisionFor(snap: CatalogSnapshot, request: DeviceRequest, testDevice: DecisionInput['testDevice']): Decision {
  return decideUpdate({ request, testDevice, rules: snap.rulesByModel.get(modelKey(request)) ?? [], interim: snap.interim, settings: snap.decisionSettings });
}

export function checkForUpdate(snap: CatalogSnapshot, request: DeviceRequest, ctx: CheckContext): CheckResult {
  const testDevice = matchTestDevice(snap, request);
  const model = modelKey(request);
  // Thousands of phones share a handful of situations (model, locale, firmware, test device, URLs): decide and render
  // each once per snapshot of the store (any change makes a new snapshot, with an empty memo).
  let memoKey = `${model}\0${request.locale.toLowerCase()}\0${testDevice ? `${testDevice.matchedBy}:${testDevice.name}` : ''}\0${ctx.internalBase}\0${ctx.externalBase}\0${ctx.external}`;
  for (const m of request.modules) memoKey += `\0${m.fileName.toLowerCase()};${m.version}`;
  const second = Math.floor(ctx.now.getTime() / 1000);
  let answer = snap.answers.get(memoKey);
  if (!answer) {
    const decision = decisionFor(snap, request, testDevice);
    const made = answerFor(snap, decision, ctx);
    answer = { decision, ...made, xml: renderUpdateResponse(made.response), second };
    snap.answers.set(memoKey, answer, memoSize(memoKey, answer));
  } else if (answer.second !== second) {
    answer.response.currentTime = ctx.now;
    answer.xml = renderUpdateResponse(answer.response);
    answer.second = second;
  }
  return answer;
}

/** About the bytes an answer holds (answerCacheMB): what grows with what a phone sends (its fields, its Host header)
 * and with the offer is the key, the XML (the logged URLs repeat parts of it) and the decision's trace. */
function memoSize(key: string, answer: MemoAnswer): number {
  let size = key.length + answer.xml.length;
  for (const line of answer.decision.trace) size += line.length;
  return size;
}

function answerFor(snap: CatalogSnapshot, decision: Decision, ctx: CheckContext): Pick<MemoAnswer, 'response' | 'logged'> {
  const response: UpdateResponse = { currentTime: ctx.now, serverVersion: snap.settings.serverVersion, langList: decision.langList };
  const offer = decision.offers[0];
  if (!offer) return { response, logged: [] };

  const baseUrl = fileUrl(ctx.internalBase, false, offer.folder);
  const externalBaseUrl = fileUrl(ctx.externalBase, ctx.externalBase !== ctx.internalBase, offer.folder);
  const images = offer.files.filter((f) => !/\.cat$/i.test(f.fileName));
  response.offer = {
    baseUrl,
    externalBaseUrl,
    files: images.map((f) => ({
      fileName: f.fileName,
      signatureFileName: offer.files.find((c) => c.fileName.toLowerCase() === f.fileName.replace(/\.[^.]*$/, '.cat').toLowerCase())?.fileName ?? '',
      version: offer.version,
      timestamp: f.timestamp,
    })),
  };
  const base = ctx.external ? externalBaseUrl : baseUrl;
  const logged = images.map((f) => ({ url: `${base}/${encodeURIComponent(f.fileName)}`, version: offer.version, timestamp: f.timestamp }));
  return { response, logged };
}
