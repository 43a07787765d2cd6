// The console's only way to the server: one typed function per admin API operation (same origin, under /api).
// Request bodies are typed from the shared zod schemas, responses from the shared DTOs; failures throw ApiError
// carrying the server's code, message and (for invalid input) the field.
import type { z } from 'zod';
import type {
  ExplainInput,
  ExplanationDto,
  HistoryDto,
  ImportJobDto,
  InterimOverviewDto,
  PackageDto,
  PreflightDto,
  PurgePreviewDto,
  PurgeResultDto,
  RuleChangeDto,
  RuleDto,
  ServerStatusDto,
  SessionInfo,
  SettingsDto,
  TestDeviceDto,
  ruleAction,
  signInInput,
  testDeviceInput,
} from '../shared/admin-api.js';
import type { ErrorBody, ErrorCode } from '../shared/errors.js';
import type {
  AuditImportDto,
  DashboardDto,
  DeviceDto,
  DeviceHistoryDto,
  DeviceListDto,
  DeviceLogDto,
  DeviceSort,
  DeviceState,
} from '../shared/inventory-api.js';

export type RuleAction = z.infer<typeof ruleAction>;
export type SignInInput = z.input<typeof signInInput>;
export type TestDeviceInput = z.input<typeof testDeviceInput>;

/** `network`: the server could not be reached or answered something that is not the API's JSON. */
export type ApiErrorCode = ErrorCode | 'network';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The words to show for any failure, an ApiError or not. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// The CSRF token of the current session: every change made with the session cookie must carry it.
let csrf = '';
let onUnauthenticated: () => void = () => {};

/** Called when the server says the session is gone (expired, signed out elsewhere). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

function remember(session: SessionInfo): SessionInfo {
  csrf = session.csrf;
  return session;
}

async function request<T>(method: string, path: string, body?: unknown, opts: { sessionCall?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError('network', 'Cannot reach the ucupdates server. Check that it is running, then try again.', 0);
  }
  return answer<T>(res.status, res.statusText, await res.text(), opts);
}

/** The API's answer as T, or its error envelope thrown as ApiError (shared by fetch and XMLHttpRequest). */
function answer<T>(status: number, statusText: string, text: string, opts: { sessionCall?: boolean } = {}): T {
  if (status === 204) return undefined as T;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (status >= 200 && status < 300 && json !== undefined) return json as T;
  const err = (json as Partial<ErrorBody> | undefined)?.error;
  if (!err) {
    throw new ApiError('network', `The server answered ${status} ${statusText} without an explanation.`, status);
  }
  if (err.code === 'unauthenticated' && !opts.sessionCall) {
    csrf = '';
    onUnauthenticated();
  }
  throw new ApiError(err.code, err.message, status, err.field);
}

// ---- session ----
// The API base is relative ("api/..."), so the console works wherever the server mounts it.

export const signIn = async (input: SignInInput) =>
  remember(await request<SessionInfo>('POST', '/session', input, { sessionCall: true }));

/** Trades the one-time token of a sign-in link (…/#signin=<token>) for a session. */
export const exchangeSignInToken = async (token: string) =>
  remember(await request<SessionInfo>('POST', '/session/exchange', { token }, { sessionCall: true }));

/** The current session, or null when not signed in. */
export async function getSession(): Promise<SessionInfo | null> {
  try {
    return remember(await request<SessionInfo>('GET', '/session', undefined, { sessionCall: true }));
  } catch (e) {
    if (e instanceof ApiError && e.code === 'unauthenticated') return null;
    throw e;
  }
}

export async function signOut(): Promise<void> {
  await request<void>('DELETE', '/session', undefined, { sessionCall: true });
  csrf = '';
}

// ---- rules ----

export const listRules = () => request<RuleDto[]>('GET', '/rules');

/** The interim images with the phones each serves, and the locales whose phones need one that is missing. */
export const getInterimImages = () => request<InterimOverviewDto>('GET', '/interim-images');

/** What the action would do to each rule (summary and warnings); changes nothing. */
export const previewRuleAction = (action: RuleAction, ids: number[]) =>
  request<RuleChangeDto[]>('POST', `/rules/${action}/preview`, { ids });

export const applyRuleAction = (action: RuleAction, ids: number[]) =>
  request<RuleChangeDto[]>('POST', `/rules/${action}`, { ids });

// ---- test devices ----

export const listTestDevices = () => request<TestDeviceDto[]>('GET', '/test-devices');

export const addTestDevice = (input: TestDeviceInput) => request<TestDeviceDto>('POST', '/test-devices', input);

/** Changes a test device's name, MAC address or serial number (validated like an added one). */
export const updateTestDevice = (id: number, input: TestDeviceInput) => request<TestDeviceDto>('PUT', `/test-devices/${id}`, input);

export const removeTestDevice = (id: number) => request<TestDeviceDto>('DELETE', `/test-devices/${id}`);

// ---- history and packages ----

export const listHistory = (limit = 50) => request<HistoryDto[]>('GET', `/history?limit=${limit}`);

export const listPackages = () => request<PackageDto[]>('GET', '/packages');

/** Which packages Purge would remove (and why the others stay); changes nothing. */
export const previewPurge = () => request<PurgePreviewDto>('GET', '/purge');

/** Removes these packages: all or nothing, each must still be unused. */
export const purgePackages = (ids: number[]) => request<PurgeResultDto>('POST', '/purge', { ids });

/**
 * Sends a package file as the request body and resolves with its import job (202). `signal` aborts the upload.
 * `interim`: the file is the interim image's cab (it must hold OCInterim/<Locale>/CPE.nbt and CPE.cat).
 */
export const uploadPackage = (file: File, onProgress: (sent: number, total: number) => void, signal?: AbortSignal, interim = false) =>
  sendFile<ImportJobDto>(`/packages?name=${encodeURIComponent(file.name)}${interim ? '&interim=1' : ''}`, file, onProgress, signal);

/**
 * A file as the request body. XMLHttpRequest rather than fetch: only it reports upload progress.
 */
function sendFile<T>(path: string, file: File, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `api${path}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      try {
        resolve(answer<T>(xhr.status, xhr.statusText, xhr.responseText));
      } catch (e) {
        reject(e);
      }
    };
    xhr.onerror = () =>
      reject(new ApiError('network', 'The upload was interrupted: check that the ucupdates server is running, then try again.', 0));
    xhr.onabort = () => reject(new ApiError('network', 'The upload was cancelled.', 0));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/** An import's phase and percent, then its summary or error. */
export const getImport = (id: string) => request<ImportJobDto>('GET', `/imports/${encodeURIComponent(id)}`);

// ---- the server ----

/** Its version, start time and where phones and admins reach it (the status line). */
export const getStatus = () => request<ServerStatusDto>('GET', '/status');

// ---- settings ----

/** Every setting; secrets read as "[set]" when they have a value. */
export const getSettings = () => request<SettingsDto>('GET', '/settings');

/** Changes only the settings given (values as typed may be refused: ApiError.field names the setting). */
export const updateSettings = (changes: Partial<Record<keyof SettingsDto, unknown>>) => request<SettingsDto>('PUT', '/settings', changes);

// ---- the fleet: inventory, why, pre-flight, dashboard ----

/** The Devices tab's filters; blank ones are left out. */
export interface DeviceFilters {
  state?: DeviceState | undefined;
  model?: string | undefined;
  version?: string | undefined;
  locale?: string | undefined;
  /** Prefix of a MAC address (any notation), serial number, user or model. */
  q?: string | undefined;
}

export interface DevicePage extends DeviceFilters {
  sort: DeviceSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** "?a=1&b=x" of the values that are set (blank strings count as unset). */
function queryString(params: object): string {
  const set = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  return set.length ? `?${new URLSearchParams(set.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

export const listDevices = (page: DevicePage) => request<DeviceListDto>('GET', `/devices${queryString(page)}`);

export const getDevice = (id: number) => request<DeviceDto>('GET', `/devices/${id}`);

/** The phone's update checks from the audit log, newest first. */
export const getDeviceHistory = (id: number) => request<DeviceHistoryDto>('GET', `/devices/${id}/history`);

export const listDeviceLogs = (id: number) => request<DeviceLogDto[]>('GET', `/devices/${id}/logs`);

/** A link (not a request): the browser downloads the file with the session cookie. */
export const deviceLogUrl = (id: number, logId: number) => `api/devices/${id}/logs/${logId}`;

/** A link to every device matching the filters as CSV. */
export const devicesCsvUrl = (filters: DeviceFilters) => `api/devices/export.csv${queryString(filters)}`;

/** The decision engine's answer, in words, for a phone described by hand (or from its inventory record). */
export const explainPhone = (input: ExplainInput) => request<ExplanationDto>('GET', `/explain${queryString(input)}`);

/** Will phones find this server, trust it and update? `domain`: the phones' DNS domain (blank: the server guesses). */
export const runPreflight = (domain: string) => request<PreflightDto>('GET', `/preflight${queryString({ domain: domain.trim() })}`);

export const getDashboard = () => request<DashboardDto>('GET', '/dashboard');

/** One RequestHandlerAuditLog_*.log of a retiring server, applied to the inventory. */
export const importAuditLog = (file: File) => sendFile<AuditImportDto>(`/audit-logs?name=${encodeURIComponent(file.name)}`, file);
