// Every guess about the phone wire format lives here (protocol.md sections 2-4): the paths, the request's element
// names and the response's shape. No public capture of a phone request exists; when one arrives (raw capture setting),
// this is the one file to correct.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { normaliseMac, type DeviceRequest, type ModuleReport } from '../domain/device.js';

// ---- Paths (known from IIS logs; matched case-insensitively as IIS did) ----

export type PhoneRoute =
  | { kind: 'update-check'; external: boolean }
  | { kind: 'file'; external: boolean; /** decoded path below DeviceUpdateFiles_Int|_Ext, e.g. UCPhone/Polycom/... */ path: string }
  | { kind: 'bad-path' }
  | { kind: 'none' };

const UPDATE_CHECK = /^\/(requesthandler|requesthandlerext|ucdeviceupdates(?:\/requesthandler)?)\/ucdevice\.upx$/;
const FILE_TREE = /^\/(?:ucdeviceupdates\/)?(deviceupdatefiles_int|deviceupdatefiles_ext)\/(.+)$/;
// Firmware 1.0.452.0 asks under /UCDeviceUpdates (admins created that folder by hand on OCS R2): the same tree.
const LEGACY_TREE = /^\/ucdeviceupdates\/(.+)$/;

export function routePhoneRequest(rawPath: string): PhoneRoute {
  const lower = rawPath.toLowerCase();
  const check = UPDATE_CHECK.exec(lower);
  if (check) return { kind: 'update-check', external: check[1] === 'requesthandlerext' };
  const tree = FILE_TREE.exec(lower) ?? LEGACY_TREE.exec(lower);
  if (!tree) return { kind: 'none' };
  const external = tree[1] === 'deviceupdatefiles_ext';
  const encoded = rawPath.slice(rawPath.length - tree[tree.length - 1]!.length);
  let path: string;
  try {
    path = decodeURIComponent(encoded);
  } catch {
    return { kind: 'bad-path' };
  }
  // The file lookup is a map of known paths, so nothing can escape the store; refusing these still gives a clear 400.
  if (/[\\\0]|%/.test(path) || path.split('/').some((s) => s === '' || s === '.' || s === '..')) return { kind: 'bad-path' };
  return { kind: 'file', external, path };
}

export function fileUrl(base: string, external: boolean, folder: string, fileName?: string): string {
  const segments = folder.split('/').concat(fileName ? [fileName] : []).map(encodeURIComponent);
  return `${base}/${external ? 'DeviceUpdateFiles_Ext' : 'DeviceUpdateFiles_Int'}/${segments.join('/')}`;
}

// ---- Request (field meanings known; element names our reconstruction, parsed leniently) ----

export type ParsedRequest = { ok: true; request: DeviceRequest } | { ok: false; error: string };

/** Lower-cased element or attribute names accepted for each field. */
const FIELD_NAMES: Record<Exclude<keyof DeviceRequest, 'mac' | 'modules'>, string[]> = {
  deviceType: ['devicetype', 'type'],
  macRaw: ['macaddress', 'mac', 'devicemacaddress'],
  serial: ['serialnumber', 'serial', 'serialno'],
  vendor: ['vendor', 'brand', 'manufacturer'],
  model: ['model', 'devicemodel'],
  revision: ['revision', 'hardwarerevision', 'hwrevision'],
  locale: ['locale', 'language', 'lang'],
  userName: ['username', 'user', 'lastuser', 'signinname'],
  requestTime: ['requestdatetime', 'requesttime', 'currenttime'],
};
const MODULE_CONTAINERS = new Set(['file', 'module']);
const MODULE_FIELDS = { fileName: ['filename', 'name'], version: ['version', 'fileversion'], timestamp: ['timestamp', 'time', 'filetime'] };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Predefined and HTML named entities plus character references (&#64;); no DTD ever reaches the parser.
  processEntities: true,
  htmlEntities: true,
});

type Node = Record<string, unknown>;

export function parseUpdateRequest(body: string): ParsedRequest {
  if (body.trim() === '') return { ok: false, error: 'empty request body' };
  // Phones never send DTDs; refusing them outright rules out XXE and entity expansion whatever the parser does.
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) return { ok: false, error: 'DTDs and entity declarations are not accepted' };
  const valid = XMLValidator.validate(body);
  if (valid !== true) return { ok: false, error: `malformed XML: ${valid.err.msg} (line ${valid.err.line})` };
  let doc: Node;
  try {
    doc = parser.parse(body) as Node;
  } catch (e) {
    return { ok: false, error: `malformed XML: ${(e as Error).message}` };
  }
  const leaves = new Map<string, string>();
  const modules: ModuleReport[] = [];
  collect(doc, leaves, modules);

  const field = (names: string[]) => names.map((n) => leaves.get(n)).find((v) => v !== undefined) ?? '';
  const request: DeviceRequest = {
    deviceType: field(FIELD_NAMES.deviceType),
    macRaw: field(FIELD_NAMES.macRaw),
    mac: '',
    serial: field(FIELD_NAMES.serial),
    vendor: field(FIELD_NAMES.vendor),
    model: field(FIELD_NAMES.model),
    revision: field(FIELD_NAMES.revision),
    locale: field(FIELD_NAMES.locale),
    userName: field(FIELD_NAMES.userName),
    requestTime: field(FIELD_NAMES.requestTime),
    modules,
  };
  request.mac = normaliseMac(request.macRaw) ?? '';
  // The audit-log form "cpe.nbt;1.0.522.34;01-01-1601 00:00:00#..." is accepted too, in a Files/Modules element.
  if (modules.length === 0) {
    const text = field(['files', 'modules', 'requested']);
    for (const part of text.split('#').filter(Boolean)) {
      const [fileName = '', version = '', timestamp = ''] = part.split(';').map((s) => s.trim());
      if (fileName) modules.push({ fileName, version, timestamp });
    }
  }
  return { ok: true, request };
}

function collect(node: unknown, leaves: Map<string, string>, modules: ModuleReport[], name = ''): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, leaves, modules, name);
    return;
  }
  if (node === null || typeof node !== 'object') {
    if (name && !leaves.has(name)) leaves.set(name, String(node ?? '').trim());
    return;
  }
  const obj = node as Node;
  if (MODULE_CONTAINERS.has(name)) {
    const own = new Map<string, string>();
    for (const [k, v] of Object.entries(obj)) if (typeof v !== 'object') own.set(k.toLowerCase(), String(v).trim());
    const pick = (names: string[]) => names.map((n) => own.get(n)).find((v) => v !== undefined) ?? '';
    const mod = { fileName: pick(MODULE_FIELDS.fileName), version: pick(MODULE_FIELDS.version), timestamp: pick(MODULE_FIELDS.timestamp) };
    if (mod.fileName) {
      modules.push(mod);
      return;
    }
  }
  for (const [k, v] of Object.entries(obj)) collect(v, leaves, modules, k === '#text' ? name : k.toLowerCase());
}

// ---- Response (root, NumOfFiles, CurrentTime, Server/ServiceVersion, LangList, BaseURL, ExternalBaseURL known;
// the per-file element names are our guess) ----

export interface ResponseFile {
  fileName: string;
  signatureFileName: string;
  version: string;
  timestamp: string;
}

export interface UpdateResponse {
  currentTime: Date;
  serverVersion: string;
  langList: string[];
  /** Absent when nothing is offered. Both URLs are always non-blank when present: old Tanjays refuse a blank one. */
  offer?: { baseUrl: string; externalBaseUrl: string; files: ResponseFile[] };
}

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false });

export function renderUpdateResponse(r: UpdateResponse): string {
  const response: Node = {
    NumOfFiles: r.offer ? r.offer.files.length : 0,
    CurrentTime: localIsoSeconds(r.currentTime),
    ServerVersion: r.serverVersion,
    ServiceVersion: r.serverVersion,
  };
  if (r.langList.length > 0) response.LangList = r.langList.join('|');
  if (r.offer) {
    response.BaseURL = r.offer.baseUrl;
    response.ExternalBaseURL = r.offer.externalBaseUrl;
    response.Files = {
      File: r.offer.files.map((f) => ({
        FileName: f.fileName,
        SignatureFileName: f.signatureFileName,
        Version: f.version,
        TimeStamp: f.timestamp,
      })),
    };
  }
  return `<?xml version="1.0" ?>\n${builder.build({ Response: response }) as string}`;
}

function localIsoSeconds(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// ---- The phone's side of the same guesses, for the simulator, the benchmarks and the tests ----

export function renderUpdateRequest(d: Omit<DeviceRequest, 'mac'>): string {
  return `<?xml version="1.0" ?>\n${
    builder.build({
      Request: {
        DeviceType: d.deviceType,
        MacAddress: d.macRaw,
        SerialNumber: d.serial,
        Vendor: d.vendor,
        Model: d.model,
        Revision: d.revision,
        Locale: d.locale,
        UserName: d.userName,
        ...(d.requestTime ? { RequestDateTime: d.requestTime } : {}),
        Files: { File: d.modules.map((m) => ({ FileName: m.fileName, Version: m.version, TimeStamp: m.timestamp })) },
      },
    }) as string
  }`;
}

export interface ParsedResponse {
  numOfFiles: number;
  currentTime: string;
  langList: string[];
  baseUrl: string;
  externalBaseUrl: string;
  files: ResponseFile[];
}

export function parseUpdateResponse(xml: string): ParsedResponse {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`the server's answer is not well-formed XML: ${valid.err.msg}`);
  const doc = parser.parse(xml) as { Response?: Node };
  const r = doc.Response;
  if (!r) throw new Error('the server\'s answer has no <Response> element');
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const files = ([] as Node[]).concat(((r.Files as Node | undefined)?.File as Node | Node[] | undefined) ?? []);
  return {
    numOfFiles: Number(r.NumOfFiles ?? 0),
    currentTime: str(r.CurrentTime),
    langList: str(r.LangList).split('|').filter(Boolean),
    baseUrl: str(r.BaseURL),
    externalBaseUrl: str(r.ExternalBaseURL),
    files: files.map((f) => ({
      fileName: str(f.FileName),
      signatureFileName: str(f.SignatureFileName),
      version: str(f.Version),
      timestamp: str(f.TimeStamp),
    })),
  };
}
