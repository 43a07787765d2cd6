// One update check, end to end but for the wire: match the test device, run the decision, build the answer.
import { modelKey, type DeviceRequest } from '../domain/device.js';
import { decideUpdate, type Decision } from '../domain/update-decision.js';
import { fileUrl, type UpdateResponse } from '../phone/dialect.js';
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
  response: UpdateResponse;
  /** For the audit log: the image file URL(s) with version and timestamp, as OCS logged them. */
  logged: { url: string; version: string; timestamp: string }[];
}

export function matchTestDevice(snap: CatalogSnapshot, req: Pick<DeviceRequest, 'mac' | 'serial'>) {
  const byMac = req.mac ? snap.testByMac.get(req.mac) : undefined;
  if (byMac) return { name: byMac.name, matchedBy: 'mac' as const };
  const bySerial = req.serial ? snap.testBySerial.get(req.serial.toLowerCase()) : undefined;
  return bySerial ? { name: bySerial.name, matchedBy: 'serial' as const } : null;
}

export function checkForUpdate(snap: CatalogSnapshot, request: DeviceRequest, ctx: CheckContext): CheckResult {
  const decision = decideUpdate({
    request,
    testDevice: matchTestDevice(snap, request),
    rules: snap.rulesByModel.get(modelKey(request)) ?? [],
    interim: snap.interim,
    settings: snap.decisionSettings,
  });
  const response: UpdateResponse = { currentTime: ctx.now, serverVersion: snap.settings.serverVersion, langList: decision.langList };
  const offer = decision.offers[0];
  if (!offer) return { decision, response, logged: [] };

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
  return { decision, response, logged };
}
