// Every guess about the phone wire format lives here (protocol.md sections 2-4): the paths, the request's element
// names and the response's shape. No public capture of a phone request exists; when one arrives (raw capture setting),
// this is the one file to correct.
import { normaliseMac } from '../../shared/mac.js';
import type { DeviceRequest, ModuleReport } from '../domain/device.js';
import type { LogUpload } from '../domain/device-log.js';
import { BoundedCache } from '../domain/bounded-cache.js';
import { childNamed, localName, parseXml, walkXml, type XmlElement, type XmlVisitor } from '../domain/xml-tree.js';

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

// Folders come from the store's catalog, never from a request; bounded all the same, like every memo on this path.
const encodedFolders = new BoundedCache<string>(10_000, Infinity);

/** The URL of an image folder (or a file in it). Encoded folders are memoised: they repeat on every update check. */
export function fileUrl(base: string, external: boolean, folder: string, fileName?: string): string {
  let encoded = encodedFolders.get(folder);
  if (encoded === undefined) {
    encoded = folder.split('/').map(encodeURIComponent).join('/');
    encodedFolders.set(folder, encoded, 0);
  }
  const file = fileName ? `/${encodeURIComponent(fileName)}` : '';
  return `${base}/${external ? 'DeviceUpdateFiles_Ext' : 'DeviceUpdateFiles_Int'}/${encoded}${file}`;
}

// ---- Log uploads (ours: the format is not public) ----
// Phones upload CE logs, Watson dumps and RoundTable configurations through the request handler (protocol.md 7).
// Our guess: a POST to ucdevice.upx whose query string names the log (type, file name, and the phone's MAC or
// serial), with the file as the raw body. Anything else posted there is read as an update check; with raw capture
// on, a real phone's upload is recorded either way, so this guess can be corrected here.

const LOG_PARAMS = {
  type: ['logtype', 'type'],
  fileName: ['filename', 'file', 'name'],
  macRaw: ['macaddress', 'mac'],
  serial: ['serialnumber', 'serial'],
} as const;

/** The log upload a request's query string describes, or undefined for an update check. */
export function parseLogUpload(query: string): LogUpload | undefined {
  if (!query) return undefined;
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(query)) if (!params.has(k.toLowerCase())) params.set(k.toLowerCase(), v.trim());
  const pick = (names: readonly string[]) => names.map((n) => params.get(n)).find((v) => v !== undefined) ?? '';
  const type = pick(LOG_PARAMS.type);
  if (!type) return undefined;
  return { type, fileName: pick(LOG_PARAMS.fileName), macRaw: pick(LOG_PARAMS.macRaw), serial: pick(LOG_PARAMS.serial) };
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
const MODULE_LISTS = ['files', 'modules', 'requested'];
const MODULE_FIELDS = { fileName: ['filename', 'name'], version: ['version', 'fileversion'], timestamp: ['timestamp', 'time', 'filetime'] };

// A real phone sends a dozen short fields and a handful of modules (cpe.nbt and its kin). These bounds leave room
// for synonyms and unknown elements, and keep what one request makes us hold, walk and remember small.
const MAX_MODULES = 32;
const MAX_ELEMENTS = 2 * (16 + 4 * MAX_MODULES);

/** Refuses a request with a kept value longer than maxFieldChars (the setting), or too many modules or elements. */
export function parseUpdateRequest(body: string, maxFieldChars: number): ParsedRequest {
  if (body.trim() === '') return { ok: false, error: 'empty request body' };
  const leaves = new Map<string, string>();
  const modules: ModuleReport[] = [];
  const doc = walkXml(body, requestReader(leaves, modules), MAX_ELEMENTS);
  if (!doc.ok) return doc;

  // The first value refused (too long; a MAC that is none) is named in the answer; the check allocates nothing.
  let refused: string | undefined;
  const check = (value: string, what: string) => {
    if (value.length > maxFieldChars) refused ??= `${what} has ${value.length} characters, more than the ${maxFieldChars} a field may have (maxFieldChars)`;
    return value;
  };
  const field = (names: readonly string[]) => {
    for (const n of names) {
      const v = leaves.get(n);
      if (v !== undefined) return v.length > maxFieldChars ? check(v, `"${n}"`) : v;
    }
    return '';
  };
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
  // A real phone always sends its MAC, in one of the notations normaliseMac reads. A MacAddress that is none of them
  // comes from a tool or a forger: refused with a 400 that names the field (as a too-long value is), so the sender
  // learns why at once and no phone is recorded from it (under its serial number, with no MAC). Answering while not
  // recording would hide the mistake from the one who could fix it, and cost a real phone nothing either way. A
  // blank or absent MAC is still read: such a phone is known by its serial number.
  if (!request.mac && request.macRaw.trim() !== '') {
    refused ??= `"${FIELD_NAMES.macRaw.find((n) => leaves.has(n))}" is not a MAC address (12 hex digits, e.g. 00-21-63-0F-20-7B)`;
  }
  // The audit-log form "cpe.nbt;1.0.522.34;01-01-1601 00:00:00#..." is accepted too, in a Files/Modules element.
  if (modules.length === 0) {
    const text = MODULE_LISTS.map((n) => leaves.get(n)).find((v) => v !== undefined) ?? '';
    if (text.length > MAX_MODULES * (3 * maxFieldChars + 3)) return { ok: false, error: `the list of modules has ${text.length} characters, more than ${MAX_MODULES} modules take` };
    for (const part of text.split('#').filter(Boolean)) {
      const [fileName = '', version = '', timestamp = ''] = part.split(';').map((s) => s.trim());
      if (fileName) modules.push({ fileName, version, timestamp });
    }
  }
  if (modules.length > MAX_MODULES) return { ok: false, error: `the request reports ${modules.length} modules, more than the ${MAX_MODULES} accepted` };
  for (const m of modules) {
    check(m.fileName, "a module's file name");
    check(m.version, "a module's version");
    check(m.timestamp, "a module's time stamp");
  }
  return refused ? { ok: false, error: refused } : { ok: true, request };
}

/**
 * collect() as the document streams by, without its tree: a module container's subtree alone is built (it is small)
 * and given to collect() when it closes. Everything else is read as it passes, in the same (document) order.
 */
function requestReader(leaves: Map<string, string>, modules: ModuleReport[]): XmlVisitor {
  // The open elements outside a module container, innermost last: whether each has a child element (a leaf has none).
  const names: string[] = [];
  const parents: boolean[] = [];
  let container: XmlElement[] | undefined;
  return {
    open(name, attributes) {
      if (!container) {
        if (parents.length > 0) parents[parents.length - 1] = true;
        if (!MODULE_CONTAINERS.has(name.toLowerCase())) {
          // As collect(): attributes by local name (the last of a name wins), then each kept unless one came before.
          let own: Map<string, string> | undefined;
          for (const k in attributes) (own ??= new Map()).set(localName(k), attributes[k]!);
          for (const [k, v] of own ?? []) if (!leaves.has(k.toLowerCase())) leaves.set(k.toLowerCase(), v.trim());
          names.push(name);
          parents.push(false);
          return;
        }
      }
      const attrs: Record<string, string> = {};
      for (const k in attributes) attrs[localName(k)] = attributes[k]!;
      const el: XmlElement = { name, attrs, children: [], text: '' };
      container?.at(-1)!.children.push(el);
      (container ??= []).push(el);
    },
    close(text) {
      if (container) {
        const el = container.pop()!;
        el.text = text;
        if (container.length === 0) {
          container = undefined;
          collect(el, leaves, modules);
        }
        return;
      }
      const name = names.pop()!.toLowerCase();
      if (!parents.pop() && !leaves.has(name)) leaves.set(name, text);
    },
  };
}

/** Leaf elements and attributes anywhere in the document by lower-cased name (the first one wins); modules apart. */
function collect(el: XmlElement, leaves: Map<string, string>, modules: ModuleReport[]): void {
  const name = el.name.toLowerCase();
  if (MODULE_CONTAINERS.has(name)) {
    const own = new Map<string, string>();
    for (const [k, v] of Object.entries(el.attrs)) own.set(k.toLowerCase(), v.trim());
    for (const c of el.children) if (c.children.length === 0) own.set(c.name.toLowerCase(), c.text);
    const pick = (names: string[]) => names.map((n) => own.get(n)).find((v) => v !== undefined) ?? '';
    const mod = { fileName: pick(MODULE_FIELDS.fileName), version: pick(MODULE_FIELDS.version), timestamp: pick(MODULE_FIELDS.timestamp) };
    if (mod.fileName) return void modules.push(mod);
  }
  for (const [k, v] of Object.entries(el.attrs)) if (!leaves.has(k.toLowerCase())) leaves.set(k.toLowerCase(), v.trim());
  if (el.children.length === 0 && !leaves.has(name)) leaves.set(name, el.text);
  for (const c of el.children) collect(c, leaves, modules);
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

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const esc = (v: string | number) => String(v).replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
const el = (indent: string, name: string, value: string | number) => `${indent}<${name}>${esc(value)}</${name}>\n`;

/** Rendered by hand, not by a builder: this runs once per update check, and every value is escaped. */
export function renderUpdateResponse(r: UpdateResponse): string {
  let xml = '<?xml version="1.0" ?>\n<Response>\n';
  xml += el('  ', 'NumOfFiles', r.offer ? r.offer.files.length : 0);
  xml += el('  ', 'CurrentTime', localIsoSeconds(r.currentTime));
  xml += el('  ', 'ServerVersion', r.serverVersion);
  xml += el('  ', 'ServiceVersion', r.serverVersion);
  if (r.langList.length > 0) xml += el('  ', 'LangList', r.langList.join('|'));
  if (r.offer) {
    xml += el('  ', 'BaseURL', r.offer.baseUrl);
    xml += el('  ', 'ExternalBaseURL', r.offer.externalBaseUrl);
    xml += '  <Files>\n';
    for (const f of r.offer.files) {
      xml += '    <File>\n';
      xml += el('      ', 'FileName', f.fileName);
      xml += el('      ', 'SignatureFileName', f.signatureFileName);
      xml += el('      ', 'Version', f.version);
      xml += el('      ', 'TimeStamp', f.timestamp);
      xml += '    </File>\n';
    }
    xml += '  </Files>\n';
  }
  return `${xml}</Response>\n`;
}

function localIsoSeconds(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// ---- The phone's side of the same guesses, for the simulator, the benchmarks and the tests ----

export function renderUpdateRequest(d: Omit<DeviceRequest, 'mac'>): string {
  let xml = '<?xml version="1.0" ?>\n<Request>\n';
  xml += el('  ', 'DeviceType', d.deviceType);
  xml += el('  ', 'MacAddress', d.macRaw);
  xml += el('  ', 'SerialNumber', d.serial);
  xml += el('  ', 'Vendor', d.vendor);
  xml += el('  ', 'Model', d.model);
  xml += el('  ', 'Revision', d.revision);
  xml += el('  ', 'Locale', d.locale);
  xml += el('  ', 'UserName', d.userName);
  if (d.requestTime) xml += el('  ', 'RequestDateTime', d.requestTime);
  xml += '  <Files>\n';
  for (const m of d.modules) {
    xml += `    <File>\n${el('      ', 'FileName', m.fileName)}${el('      ', 'Version', m.version)}${el('      ', 'TimeStamp', m.timestamp)}    </File>\n`;
  }
  return `${xml}  </Files>\n</Request>\n`;
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
  const doc = parseXml(xml);
  if (!doc.ok) throw new Error(`the server's answer is not well-formed XML: ${doc.error}`);
  const r = doc.root;
  if (r.name.toLowerCase() !== 'response') throw new Error("the server's answer has no <Response> element");
  const text = (parent: XmlElement | undefined, name: string) => childNamed(parent, name)?.text ?? '';
  return {
    numOfFiles: Number(text(r, 'NumOfFiles') || 0),
    currentTime: text(r, 'CurrentTime'),
    langList: text(r, 'LangList').split('|').filter(Boolean),
    baseUrl: text(r, 'BaseURL'),
    externalBaseUrl: text(r, 'ExternalBaseURL'),
    files: (childNamed(r, 'Files')?.children ?? []).map((f) => ({
      fileName: text(f, 'FileName'),
      signatureFileName: text(f, 'SignatureFileName'),
      version: text(f, 'Version'),
      timestamp: text(f, 'TimeStamp'),
    })),
  };
}
