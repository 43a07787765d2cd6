// A phone, simulated: sends an update check in the same dialect the server reads, and downloads what it is offered.
// Used by `ucupdates simulate`, by the tests and by the benchmarks.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { parseUpdateResponse, renderUpdateRequest, type ParsedResponse } from '../server/phone/dialect.js';
import type { SimulatedPhone } from './simulated-phone.js';

// The phone played (its type and defaults) lives apart, so that the CLI can show the defaults without loading the
// dialect (saxes).
export { DEFAULT_PHONE, type SimulatedPhone } from './simulated-phone.js';

export function phoneRequestBody(p: SimulatedPhone): string {
  return renderUpdateRequest({
    deviceType: p.deviceType,
    macRaw: p.mac,
    serial: p.serial,
    vendor: p.vendor,
    model: p.model,
    revision: p.revision,
    locale: p.locale,
    userName: p.userName,
    requestTime: '',
    modules: [{ fileName: 'cpe.nbt', version: p.version, timestamp: '01-01-1601 00:00:00' }],
  });
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP(S) request; `insecure` accepts self-signed certificates (a first-run server). */
export function httpRequest(
  url: string,
  opts: { method?: string; body?: string | Buffer; headers?: Record<string, string>; insecure?: boolean } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      { method: opts.method ?? 'GET', headers: { 'User-Agent': 'Microsoft UCPhone Device', ...opts.headers }, rejectUnauthorized: !opts.insecure },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface CheckOutcome {
  status: number;
  raw: string;
  response?: ParsedResponse;
}

export async function simulateCheck(server: string, phone: SimulatedPhone, opts: { external?: boolean; insecure?: boolean } = {}): Promise<CheckOutcome> {
  const path = opts.external ? '/RequestHandlerExt/ucdevice.upx' : '/RequestHandler/ucdevice.upx';
  const res = await httpRequest(new URL(path, server).toString(), {
    method: 'POST',
    body: phoneRequestBody(phone),
    headers: { 'Content-Type': 'text/xml' },
    insecure: opts.insecure,
  });
  const raw = res.body.toString('utf8');
  return res.status === 200 ? { status: res.status, raw, response: parseUpdateResponse(raw) } : { status: res.status, raw };
}

export interface DownloadedFile {
  url: string;
  status: number;
  size: number;
  sha256: string;
}

/** Downloads the offered image and its catalog file from BaseURL (or ExternalBaseURL), as the phone would. */
export async function downloadOffer(r: ParsedResponse, opts: { external?: boolean; insecure?: boolean } = {}): Promise<DownloadedFile[]> {
  const base = opts.external ? r.externalBaseUrl : r.baseUrl;
  const names = r.files.flatMap((f) => [f.fileName, f.signatureFileName]).filter(Boolean);
  const out: DownloadedFile[] = [];
  for (const name of names) {
    const url = `${base}/${encodeURIComponent(name)}`;
    const res = await httpRequest(url, { insecure: opts.insecure });
    out.push({ url, status: res.status, size: res.body.length, sha256: createHash('sha256').update(res.body).digest('hex') });
  }
  return out;
}
