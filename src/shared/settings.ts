// The server's settings: one schema for the store, the CLI, the admin API and the console.
import { z } from 'zod';
import { isVersion } from './version.js';

const baseUrl = z
  .string()
  .trim()
  .refine((s) => s === '' || /^https?:\/\/[^\s/?#]+(:\d+)?\/?$/i.test(s), {
    message: 'must be empty or a base URL like http://ucupdates.contoso.com (scheme and host, no path)',
  })
  .transform((s) => s.replace(/\/$/, ''));
const port = z.number().int().min(0).max(65535);

export const settingsSchema = z.object({
  /** Base URL phones use inside the network; '' derives it from the request's Host header. */
  internalUrl: baseUrl.default(''),
  /** Base URL for phones outside (reverse proxy); '' falls back to the internal one (old Tanjays refuse a blank URL). */
  externalUrl: baseUrl.default(''),
  httpPort: port.default(80),
  httpsPort: port.default(443),
  /** The admin API and console. Loopback unless the admin explicitly exposes it. */
  adminHost: z.string().trim().min(1).default('127.0.0.1'),
  adminPort: port.default(8090),
  /** PEM certificate and key, or a PFX; when none is set a self-signed certificate is generated on first run. */
  tlsCertFile: z.string().default(''),
  tlsKeyFile: z.string().default(''),
  tlsPfxFile: z.string().default(''),
  tlsPfxPassphrase: z.string().default(''),
  /** External update checks: challenge with NTLM like OCS R2, trust an authenticating reverse proxy, or answer anonymously. */
  externalAuth: z.enum(['ntlm-challenge', 'trust-proxy', 'anonymous']).default('ntlm-challenge'),
  /** Addresses of reverse proxies trusted when externalAuth is trust-proxy. */
  trustedProxies: z.array(z.string().trim().min(1)).default([]),
  interimThreshold: z
    .string()
    .refine((s): boolean => isVersion(s), { message: 'must be a four-part version like 1.0.522.98' })
    .default('1.0.522.98'),
  /** true: phones at or below the threshold get the interim build; false: strictly below. */
  interimInclusive: z.boolean().default(true),
  roundTableServesPending: z.boolean().default(false),
  /** The server name in audit log file names; '' uses the host name. */
  serverName: z.string().trim().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only').default(''),
  /** Sent to phones as ServerVersion/ServiceVersion. */
  serverVersion: z.string().refine((s): boolean => isVersion(s), { message: 'must be a four-part version' }).default('3.5.6907.0'),
  logRetentionDays: z.number().int().min(1).max(3650).default(30),
  /** Everything under Logs (audit, access, capture, phone uploads) together, enforced as lines are written. */
  logMaxTotalMB: z.number().int().min(10).default(1024),
  /** The access log's W3C fields: IIS 8.5's default set (goaccess --log-format=W3C reads it; bytes for bandwidth
   * reports) or IIS 7's, the set OCS servers wrote. */
  accessLogFields: z.enum(['iis85', 'iis7']).default('iis85'),
  /** How the console and the CLI write MAC addresses (input is accepted in any notation). */
  macNotation: z.enum(['dashes', 'colons', 'plain']).default('dashes'),
  /** Record the raw body of every phone request (for protocol work), bounded and rotated with the logs. */
  captureEnabled: z.boolean().default(false),
  maxRequestBytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  maxPackageMB: z.number().int().min(1).max(16 * 1024).default(2048),
  /** Device inventory: a phone offered an update that has not downloaded it, or not installed it, after this long is stuck. */
  deviceStuckHours: z.number().int().min(1).max(24 * 365).default(24),
  /** Device inventory: a phone not seen for longer than this is silent (phones check at least every 24 hours). */
  deviceSilentDays: z.number().int().min(1).max(3650).default(7),
  /** Log uploads from phones (Lync's ValidLogFileTypes, ValidLogFileExtensions, MaxLogFileSize, LogCleanUpInterval). */
  deviceLogTypes: z.array(z.string().trim().regex(/^[A-Za-z0-9]{1,32}$/, 'letters and digits only')).default(['Watson', 'Config', 'Diaglog', 'CELog']),
  deviceLogExtensions: z
    .array(z.string().trim().regex(/^\.[A-Za-z0-9]{1,10}$/, 'like .clg'))
    .default(['.dmp', '.clg', '.clg2', '.bak', '.kdmp', '.dat', '.bin', '.cat', '.xml', '.txt', '.hex']),
  deviceLogMaxBytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(1_024_000),
  deviceLogRetentionDays: z.number().int().min(1).max(3650).default(10),
  /** Log uploads: what one phone may keep, and all phones together (both inside logMaxTotalMB). */
  deviceLogMaxPerPhoneMB: z.number().int().min(1).max(1024).default(10),
  deviceLogMaxTotalMB: z.number().int().min(1).max(100 * 1024).default(200),

  // ---- Bounds on what an unauthenticated client on the phone ports can take (README: Running it safely) ----
  /** The longest value kept from one field of an update check; a real phone sends short ones, longer is refused. */
  maxFieldChars: z.number().int().min(32).max(4096).default(256),
  /** Memoised update-check answers (one per distinct situation), by count and by size. */
  answerCacheEntries: z.number().int().min(100).max(1_000_000).default(10_000),
  answerCacheMB: z.number().int().min(1).max(1024).default(32),
  /** Firmware images kept in memory for downloads (verified blobs, oldest out first); 0 reads every download from disk. */
  downloadCacheMB: z.number().int().min(0).max(64 * 1024).default(256),
  /** Phones kept in the inventory; past it, phones that checked in once and never again make room, else new ones are not recorded. */
  inventoryMaxDevices: z.number().int().min(100).max(10_000_000).default(250_000),
  /** Phone observations (checks, downloads) a server holds while the store cannot take them (a pool's database away); more are dropped and counted. Read at start. */
  inventoryMaxWaiting: z.number().int().min(1_000).max(1_000_000).default(50_000),
  /** Seconds a phone connection may take to send its headers, its whole request, and may sit idle. */
  phoneHeadersTimeoutS: z.number().int().min(1).max(600).default(10),
  phoneRequestTimeoutS: z.number().int().min(1).max(3600).default(30),
  phoneIdleTimeoutS: z.number().int().min(1).max(3600).default(60),
  /** Open connections per phone listener, and from one address (trusted proxies are exempt from the latter). */
  phoneMaxConnections: z.number().int().min(16).max(1_000_000).default(4096),
  phoneMaxConnectionsPerAddress: z.number().int().min(1).max(100_000).default(64),
  /** Failed sign-ins allowed per address and per account in 15 minutes. */
  signInMaxFailures: z.number().int().min(1).max(1000).default(10),
  /** Largest total unpacked size of a package (a small cab cannot unpack into a full disk). */
  maxUnpackedMB: z.number().int().min(1).max(64 * 1024).default(1024),

  // ---- The admin console over the network ----
  /** Serve the console and admin API over HTTPS, with the phone listener's certificate settings. */
  adminTls: z.boolean().default(false),
  /** Reverse proxies in front of the console: only their X-Forwarded-For/-Proto is believed; a proxied request is never loopback. */
  adminTrustedProxies: z.array(z.string().trim().min(1)).default([]),
  /** Host names the console answers to; empty: its own address, loopback names and this machine's name. */
  adminAllowedHosts: z.array(z.string().trim().min(1)).default([]),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as SettingKey[];
export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

/** Parses a value typed on a command line ("8080", "true", "a,b") into the setting's type. */
export function parseSettingText(key: SettingKey, text: string): unknown {
  const def = DEFAULT_SETTINGS[key];
  if (typeof def === 'number') return text.trim() === '' ? NaN : Number(text);
  if (typeof def === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(text)) return true;
    if (/^(false|no|off|0)$/i.test(text)) return false;
    return text;
  }
  if (Array.isArray(def)) return text.split(',').map((s) => s.trim()).filter(Boolean);
  return text;
}

/** Secret settings are never sent back: readers see this marker instead, and writing it back keeps the stored value. */
export const SECRET_MARKER = '[set]';
const SECRET_KEYS: readonly SettingKey[] = ['tlsPfxPassphrase'];

export function redactSettings(s: Settings): Settings {
  const out = { ...s };
  for (const k of SECRET_KEYS) if (out[k]) (out as Record<string, unknown>)[k] = SECRET_MARKER;
  return out;
}

export const isSecretSetting = (key: string) => (SECRET_KEYS as readonly string[]).includes(key);
