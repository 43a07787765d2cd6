// "Last Update Status: 0xW/H" as a phone shows it: W is a WinInet error (0 = none), H the HTTP status of the last
// update request. Pure and shared, so the console decodes as you type and `ucupdates decode` says the same.
// Sources: protocol.md section 8 (the codes admins met) and WinInet's documented error numbers.

export interface CodeMeaning {
  code: number;
  /** e.g. ERROR_INTERNET_TIMEOUT, or the HTTP reason phrase. */
  name: string;
  meaning: string;
  /** What to do about it; empty when nothing is wrong. */
  fix: string;
}

export type DecodedStatus =
  | { ok: true; text: string; error: CodeMeaning; http: CodeMeaning | null }
  | { ok: false; message: string };

const W = (code: number, name: string, meaning: string, fix: string): CodeMeaning => ({ code, name, meaning, fix });

const WININET: ReadonlyMap<number, CodeMeaning> = new Map(
  [
    W(0x0, 'no error', 'The phone reached the update service and read its answer.', ''),
    W(0x2, 'image signature check failed', 'The phone downloaded the image but refused it: its signature (.cat) did not verify.',
      'Re-import the package as Microsoft shipped it (the .nbt and .cat must come from the same package); check the file is not altered by a proxy.'),
    W(12002, 'ERROR_INTERNET_TIMEOUT', 'The request timed out.',
      'Check that the phone can reach the server on port 80/443 (firewall, VLAN, proxy) and that the server is running.'),
    W(12005, 'ERROR_INTERNET_INVALID_URL', 'The update URL the phone was given is not valid.',
      'Check the internal and external URL settings (internalUrl, externalUrl) and the in-band provisioned URL of the pool.'),
    W(12007, 'ERROR_INTERNET_NAME_NOT_RESOLVED', 'The server name could not be resolved.',
      'Create DNS records ucupdates-r2.<DHCP domain> (and ucupdates.<domain> for firmware before R2) pointing at this server, and check the DHCP domain option.'),
    W(12029, 'ERROR_INTERNET_CANNOT_CONNECT', 'The phone could not connect to the server.',
      'Check that the service listens on the port the phone uses (80 internal, 443 for HTTPS) and that no firewall blocks it.'),
    W(12030, 'ERROR_INTERNET_CONNECTION_ABORTED', 'The connection was aborted.',
      'Usually a proxy, load balancer or firewall ending the connection: look at the access log for the request and at the network path.'),
    W(12031, 'ERROR_INTERNET_CONNECTION_RESET', 'The connection was reset.',
      'Often TLS: the phone and server share no protocol or cipher (old phones speak only TLS 1.0 with old ciphers). Try the HTTP URL internally.'),
    W(12037, 'ERROR_INTERNET_SEC_CERT_DATE_INVALID', 'The server certificate has expired or is not yet valid (or the phone clock is wrong).',
      'Renew the certificate, and check the phone gets the right time (it takes it from the server it registers with).'),
    W(12038, 'ERROR_INTERNET_SEC_CERT_CN_INVALID', 'The server certificate does not name the host the phone asked for.',
      'Issue a certificate whose subject or SAN includes ucupdates-r2.<domain> and the pool name the phone uses.'),
    W(12045, 'ERROR_INTERNET_INVALID_CA', 'The phone does not trust the certificate authority that issued the server certificate.',
      'Use a certificate from the enterprise CA the phones trust (a self-signed certificate is never trusted).'),
    W(12152, 'ERROR_HTTP_INVALID_SERVER_RESPONSE', 'The phone could not read the server answer.',
      'Turn on raw capture (captureEnabled) and compare the answer with what the phone expects; please report it.'),
    W(12157, 'ERROR_INTERNET_SECURITY_CHANNEL_ERROR', 'The TLS channel could not be set up.',
      'CX700-era phones (OCPE) cannot use SHA-2 certificates: serve them over HTTP internally, or use a SHA-1 certificate for their URL.'),
  ].map((m) => [m.code, m]),
);

const HTTP: ReadonlyMap<number, Omit<CodeMeaning, 'code'>> = new Map([
  [0, { name: 'no answer', meaning: 'No HTTP answer was received.', fix: 'The request failed before a server answered: see the error code.' }],
  [200, { name: 'OK', meaning: 'The update service answered.', fix: 'If the phone still does not update, look at why this phone got no update (Devices, or `ucupdates explain`): most often no rule for its locale or revision, or the version is pending and it is not a test device.' }],
  [401, { name: 'Unauthorized', meaning: 'The external update URL asks for the signed-in user\'s credentials (NTLM).', fix: 'Sign the phone in, or set externalAuth (trust-proxy behind an authenticating proxy, or anonymous).' }],
  [403, { name: 'Forbidden', meaning: 'The server or a proxy refused the request.', fix: 'Check the reverse proxy rules for /RequestHandlerExt and /DeviceUpdateFiles_Ext.' }],
  [404, { name: 'Not Found', meaning: 'The URL does not exist on the server.', fix: 'A file URL the phone was given is not in the store (re-import its package), or the phone asks a path this server does not serve: check the access log.' }],
  [500, { name: 'Internal Server Error', meaning: 'The server failed while answering.', fix: 'Look at the server log for the error at that time.' }],
  [503, { name: 'Service Unavailable', meaning: 'The server, or a proxy in front of it, is unavailable.', fix: 'Check that the service is running and reachable from the proxy.' }],
]);

/** Decodes what the phone shows: "0x2f7d/200", "2F7D / 200", "12157/200", "0x0/200", or a bare code ("0x2"). */
export function decodeStatus(text: string): DecodedStatus {
  const m = /^\s*(0x[0-9a-f]+|[0-9a-f]*[a-f][0-9a-f]*|\d+)\s*(?:\/\s*(\d{1,3})\s*)?$/i.exec(text);
  if (!m) return { ok: false, message: `"${text.trim()}" is not a status code: type it as the phone shows it, e.g. 0x2f7d/200.` };
  const raw = m[1]!;
  const code = /^0x/i.test(raw) || /[a-f]/i.test(raw) ? parseInt(raw.replace(/^0x/i, ''), 16) : Number(raw);
  const status = m[2] === undefined ? null : Number(m[2]);
  const error = WININET.get(code) ?? W(code, 'unknown error', `0x${code.toString(16)} (${code}) is not one the phones are known to show.`, 'Note what the phone did just before, and look at the access log for its requests at that time.');
  const known = status === null ? undefined : HTTP.get(status);
  const http = status === null ? null : { code: status, ...(known ?? { name: `HTTP ${status}`, meaning: `The server or a proxy answered ${status}.`, fix: 'Look at the access log for the request.' }) };
  return { ok: true, text: `0x${code.toString(16)}${status === null ? '' : `/${status}`}`, error, http };
}
