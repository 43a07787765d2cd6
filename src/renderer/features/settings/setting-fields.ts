// How each setting reads in the console: its label, a short help line, the kind of input, whether it waits for
// a restart, and the group it sits in. Every setting is described (Record<SettingKey, …>), so a new one in
// shared/settings.ts does not typecheck until it is given words here.
import type { SettingKey } from '../../../shared/settings.js';

export type SettingKind = 'text' | 'number' | 'boolean' | 'choice' | 'list' | 'secret';

export interface SettingField {
  label: string;
  help: string;
  kind: SettingKind;
  choices?: { value: string; label: string }[];
  /** Applies only after the service restarts (listeners and certificates are set up at start). */
  restart?: boolean;
  placeholder?: string;
}

export const SETTING_FIELDS: Record<SettingKey, SettingField> = {
  internalUrl: {
    label: 'Internal URL',
    help: 'Base URL phones inside the network download from. Empty: taken from the address the phone used.',
    kind: 'text',
    placeholder: 'e.g. http://ucupdates-r2.contoso.com',
  },
  externalUrl: {
    label: 'External URL',
    help: 'Base URL for phones outside, through your reverse proxy. Empty: the internal one is used.',
    kind: 'text',
    placeholder: 'e.g. https://lyncext.contoso.com',
  },
  httpPort: { label: 'HTTP port', help: 'Phones check for updates here (80 like OCS).', kind: 'number', restart: true },
  httpsPort: { label: 'HTTPS port', help: 'The same over TLS (443 like OCS).', kind: 'number', restart: true },
  adminHost: {
    label: 'Console address',
    help: 'Where this console listens. 127.0.0.1 keeps it to this machine.',
    kind: 'text',
    restart: true,
  },
  adminPort: { label: 'Console port', help: 'The port of this console and the admin API.', kind: 'number', restart: true },
  serverVersion: { label: 'Server version', help: 'Sent to phones as ServerVersion and ServiceVersion.', kind: 'text' },
  tlsCertFile: { label: 'Certificate file (PEM)', help: 'Path on the server. Empty: a self-signed certificate.', kind: 'text', restart: true },
  tlsKeyFile: { label: 'Key file (PEM)', help: 'The private key of that certificate.', kind: 'text', restart: true },
  tlsPfxFile: { label: 'PFX file', help: 'Instead of PEM files: a .pfx with certificate and key.', kind: 'text', restart: true },
  tlsPfxPassphrase: { label: 'PFX passphrase', help: 'Never shown. Leave blank to keep the current one.', kind: 'secret', restart: true },
  externalAuth: {
    label: 'External authentication',
    help: 'How update checks from outside (/RequestHandlerExt) are authenticated.',
    kind: 'choice',
    choices: [
      { value: 'ntlm-challenge', label: 'Challenge with NTLM, like OCS R2' },
      { value: 'trust-proxy', label: 'Trust the reverse proxy that authenticates' },
      { value: 'anonymous', label: 'Anonymous' },
    ],
  },
  trustedProxies: {
    label: 'Trusted proxies',
    help: 'Addresses of reverse proxies trusted with "Trust the reverse proxy", one per line.',
    kind: 'list',
  },
  interimThreshold: {
    label: 'Interim threshold',
    help: 'Phones at (or below) this version get the interim image first.',
    kind: 'text',
  },
  interimInclusive: { label: 'Include the threshold version', help: 'Phones exactly at the threshold get the interim image too.', kind: 'boolean' },
  roundTableServesPending: {
    label: 'RoundTable gets pending versions',
    help: 'Offer pending versions to every RoundTable, as if each were a test device.',
    kind: 'boolean',
  },
  serverName: { label: 'Server name', help: 'Used in the audit log file names. Empty: this machine’s name.', kind: 'text' },
  logRetentionDays: { label: 'Keep logs (days)', help: 'Older log files are deleted.', kind: 'number' },
  logMaxTotalMB: { label: 'Log folder limit (MB)', help: 'Everything under Logs together; the oldest files go first, and a day is split into parts.', kind: 'number' },
  accessLogFields: {
    label: 'Access log fields',
    help: 'IIS 8.5’s default set opens in goaccess (--log-format=W3C) and has bytes sent; IIS 7’s is what OCS servers wrote.',
    kind: 'choice',
    choices: [
      { value: 'iis85', label: 'IIS 8.5 (with cs(Referer), sc-bytes, cs-bytes)' },
      { value: 'iis7', label: 'IIS 7 (as OCS 2007 R2 wrote)' },
    ],
  },
  macNotation: {
    label: 'MAC address notation',
    help: 'How MAC addresses are written in this console and the CLI. Any notation is accepted as input.',
    kind: 'choice',
    choices: [
      { value: 'dashes', label: '00-21-63-0F-20-7B (as the phone’s label)' },
      { value: 'colons', label: '00:21:63:0f:20:7b' },
      { value: 'plain', label: '0021630F207B (as the audit log)' },
    ],
  },
  captureEnabled: {
    label: 'Capture phone requests',
    help: 'Record the raw body of every update check under Logs/Capture (credentials redacted).',
    kind: 'boolean',
  },
  maxRequestBytes: { label: 'Largest update check (bytes)', help: 'Bigger phone requests are refused.', kind: 'number' },
  maxPackageMB: { label: 'Largest package (MB)', help: 'Bigger uploads are refused.', kind: 'number' },
  deviceStuckHours: {
    label: 'Stuck after (hours)',
    help: 'A phone offered an update that has not downloaded or installed it after this long counts as stuck.',
    kind: 'number',
  },
  deviceSilentDays: {
    label: 'Silent after (days)',
    help: 'A phone not seen for longer counts as silent (phones check at least once a day).',
    kind: 'number',
  },
  deviceLogTypes: {
    label: 'Log types phones may upload',
    help: 'Comma-separated, as Lync named them: Watson (crash dumps), Config, Diaglog, CELog.',
    kind: 'list',
  },
  deviceLogExtensions: { label: 'Log file extensions', help: 'Comma-separated, each like .clg; other files are refused.', kind: 'list' },
  deviceLogMaxBytes: { label: 'Largest log file (bytes)', help: 'Uploads larger than this are refused (Lync: 1,024,000).', kind: 'number' },
  deviceLogRetentionDays: { label: 'Keep phone logs (days)', help: 'Uploaded phone logs older than this are deleted (Lync: 10).', kind: 'number' },
  deviceLogMaxPerPhoneMB: { label: 'Phone logs per phone (MB)', help: 'One phone’s uploads beyond this are refused until old ones expire.', kind: 'number' },
  deviceLogMaxTotalMB: { label: 'Phone logs in all (MB)', help: 'All phones’ uploads together; counted inside the log folder limit.', kind: 'number' },
  maxFieldChars: { label: 'Longest request field (characters)', help: 'Update checks with a longer value (user name, model…) are refused.', kind: 'number' },
  answerCacheEntries: { label: 'Cached answers', help: 'Distinct update-check answers kept in memory.', kind: 'number' },
  answerCacheMB: { label: 'Cached answers (MB)', help: 'Memory the cached answers may take.', kind: 'number' },
  downloadCacheMB: { label: 'Cached firmware images (MB)', help: 'Memory for the images phones download most, served from memory instead of disk. 0 reads every download from disk.', kind: 'number' },
  inventoryMaxDevices: {
    label: 'Most phones in the inventory',
    help: 'Past it, phones seen only once make room; if none can, new phones are not recorded (counted on the Devices tab).',
    kind: 'number',
  },
  inventoryMaxWaiting: {
    label: 'Observations held while the store is away',
    help: 'Phone check-ins and downloads a server keeps in memory while the store cannot take them (a pool\'s database down); more are dropped and counted in the status line.',
    kind: 'number',
    restart: true,
  },
  phoneHeadersTimeoutS: { label: 'Header timeout (s)', help: 'A phone connection must send its request headers within this.', kind: 'number', restart: true },
  phoneRequestTimeoutS: { label: 'Request timeout (s)', help: 'A phone connection must send its whole request within this.', kind: 'number', restart: true },
  phoneIdleTimeoutS: { label: 'Idle timeout (s)', help: 'A phone connection with no traffic for this long is closed.', kind: 'number', restart: true },
  phoneMaxConnections: { label: 'Connections per listener', help: 'Open phone connections on each of HTTP and HTTPS.', kind: 'number', restart: true },
  phoneMaxConnectionsPerAddress: {
    label: 'Connections per address',
    help: 'Open connections from one client address (trusted proxies are exempt).',
    kind: 'number',
    restart: true,
  },
  signInMaxFailures: { label: 'Failed sign-ins (per 15 min)', help: 'Per address and per account; then sign-in waits.', kind: 'number' },
  maxUnpackedMB: { label: 'Largest unpacked package (MB)', help: 'Packages that would unpack to more are refused before extraction.', kind: 'number' },
  adminTls: { label: 'Console over HTTPS', help: 'Serve this console with the HTTPS certificate above.', kind: 'boolean', restart: true },
  adminTrustedProxies: {
    label: 'Console reverse proxies',
    help: 'Addresses of proxies in front of this console, one per line; only their forwarded headers are believed.',
    kind: 'list',
    restart: true,
  },
  adminAllowedHosts: {
    label: 'Console host names',
    help: 'Names this console answers to, one per line. Empty: its address, localhost and this machine’s name.',
    kind: 'list',
    restart: true,
  },
};

/** `id` is the group's part in a console link (#/settings/logs opens the log settings: the menu's Log Settings). */
export const SETTING_GROUPS: { id: string; title: string; keys: SettingKey[] }[] = [
  { id: 'urls', title: 'Phone URLs and ports', keys: ['internalUrl', 'externalUrl', 'httpPort', 'httpsPort', 'adminHost', 'adminPort', 'serverVersion'] },
  { id: 'console', title: 'Console over the network', keys: ['adminTls', 'adminTrustedProxies', 'adminAllowedHosts', 'signInMaxFailures'] },
  { id: 'certificate', title: 'HTTPS certificate', keys: ['tlsCertFile', 'tlsKeyFile', 'tlsPfxFile', 'tlsPfxPassphrase'] },
  { id: 'external', title: 'External access', keys: ['externalAuth', 'trustedProxies'] },
  { id: 'interim', title: 'Interim and RoundTable', keys: ['interimThreshold', 'interimInclusive', 'roundTableServesPending'] },
  { id: 'logs', title: 'Logs and capture', keys: ['serverName', 'logRetentionDays', 'logMaxTotalMB', 'accessLogFields', 'captureEnabled'] },
  {
    id: 'limits',
    title: 'Limits',
    keys: [
      'maxRequestBytes',
      'maxFieldChars',
      'phoneHeadersTimeoutS',
      'phoneRequestTimeoutS',
      'phoneIdleTimeoutS',
      'phoneMaxConnections',
      'phoneMaxConnectionsPerAddress',
      'answerCacheEntries',
      'answerCacheMB',
      'downloadCacheMB',
      'maxPackageMB',
      'maxUnpackedMB',
    ],
  },
  { id: 'inventory', title: 'Device inventory', keys: ['deviceStuckHours', 'deviceSilentDays', 'inventoryMaxDevices', 'inventoryMaxWaiting', 'macNotation'] },
  { id: 'phone-logs', title: 'Phone log uploads', keys: ['deviceLogTypes', 'deviceLogExtensions', 'deviceLogMaxBytes', 'deviceLogRetentionDays', 'deviceLogMaxPerPhoneMB', 'deviceLogMaxTotalMB'] },
];
