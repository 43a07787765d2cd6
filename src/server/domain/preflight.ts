// The deployment pre-flight: will phones find this server, trust it, and be able to update? A pure judgement of
// facts gathered elsewhere (DNS answers, the certificate the HTTPS listener presents, settings, the store), so each
// verdict and its advice can be tested on its own.
import type { PreflightCheckDto } from '../../shared/admin-api.js';

export interface CertificateFacts {
  /** DNS names and IP addresses the certificate is valid for (subject CN and subjectAltName). */
  names: string[];
  selfSigned: boolean;
  /** Signed with SHA-1 (what CX700-era phones need) rather than SHA-2. */
  sha1: boolean;
  validFrom: Date;
  validTo: Date;
}

export interface PreflightFacts {
  /** The DHCP domain phones are in ('' when unknown). */
  domain: string;
  /** What DNS answered for ucupdates-r2.<domain> and ucupdates.<domain>. */
  dns: { name: string; addresses: string[]; error?: string }[];
  /** This machine's addresses. */
  serverAddresses: string[];
  certificate: CertificateFacts | { error: string };
  internalUrl: string;
  externalUrl: string;
  /** Locales whose OCPE interim image is in the store, and OCPE phones (CX700, IP8540) seen. */
  interimLocales: string[];
  ocpePhones: number;
  /** The newest time the store recorded (history, last phone seen): the clock must not be behind it. */
  latestRecorded: Date | null;
  now: Date;
}

const check = (id: string, title: string, status: PreflightCheckDto['status'], detail: string, fix = ''): PreflightCheckDto => ({ id, title, status, detail, fix });
const DAY = 86_400_000;

export function judgePreflight(f: PreflightFacts): PreflightCheckDto[] {
  return [...dnsChecks(f), ...certificateChecks(f), externalUrlCheck(f), interimCheck(f), clockCheck(f)];
}

function dnsChecks(f: PreflightFacts): PreflightCheckDto[] {
  if (!f.domain) {
    return [check('dns', 'Phones find the server by DNS', 'warn', 'The phones\' DNS domain is not known, so the ucupdates-r2 name could not be checked.', 'Give the domain (the DHCP domain option phones get), e.g. contoso.com.')];
  }
  const mine = new Set(f.serverAddresses);
  return f.dns.map(({ name, addresses, error }) => {
    const legacy = name.startsWith('ucupdates.');
    const title = `${name} resolves to this server${legacy ? ' (firmware before R2)' : ''}`;
    const fix = `Create a DNS A record ${name} for one of this server's addresses (${f.serverAddresses.join(', ') || 'none found'}).`;
    if (error || addresses.length === 0) return check(`dns:${name}`, title, legacy ? 'warn' : 'fail', `${name} does not resolve${error ? ` (${error})` : ''}.`, fix);
    const ours = addresses.filter((a) => mine.has(a));
    if (ours.length === 0) return check(`dns:${name}`, title, legacy ? 'warn' : 'fail', `${name} resolves to ${addresses.join(', ')}, not to this server.`, fix);
    return check(`dns:${name}`, title, 'pass', `${name} resolves to ${ours.join(', ')}.`);
  });
}

/** RFC 6125 in short: exact, or one leftmost wildcard label. */
export function certificateCovers(names: readonly string[], host: string): boolean {
  const h = host.toLowerCase();
  return names.some((n) => {
    const c = n.toLowerCase();
    if (c === h) return true;
    return c.startsWith('*.') && h.slice(h.indexOf('.') + 1) === c.slice(2) && h.indexOf('.') > 0;
  });
}

function certificateChecks(f: PreflightFacts): PreflightCheckDto[] {
  const c = f.certificate;
  if ('error' in c) return [check('certificate', 'The HTTPS certificate', 'fail', `The HTTPS listener's certificate could not be read: ${c.error}.`, 'Check the tlsCertFile/tlsKeyFile or tlsPfxFile settings and the server log.')];
  const hosts = [f.domain && `ucupdates-r2.${f.domain}`, hostOf(f.internalUrl), hostOf(f.externalUrl)].filter((h): h is string => !!h);
  const missing = [...new Set(hosts)].filter((h) => !certificateCovers(c.names, h));
  const out = [
    missing.length === 0
      ? check('certificate-names', 'The certificate names the server', hosts.length ? 'pass' : 'warn', hosts.length ? `It covers ${[...new Set(hosts)].join(', ')}.` : `It names ${c.names.join(', ')}; no host name to compare it with.`, hosts.length ? '' : 'Give the domain, or set internalUrl.')
      : check('certificate-names', 'The certificate names the server', 'fail', `It names ${c.names.join(', ') || 'nothing'}, not ${missing.join(', ')}: phones refuse it (0x2f06).`, `Issue a certificate with ${missing.join(', ')} in its subject alternative names.`),
  ];
  if (c.selfSigned) out.push(check('certificate-trust', 'Phones trust the certificate', 'fail', 'It is self-signed (made on first run): no phone trusts it (0x2f0d).', 'Use a certificate from the enterprise CA the phones trust (settings tlsCertFile and tlsKeyFile, or tlsPfxFile).'));
  if (f.now < c.validFrom || f.now > c.validTo) out.push(check('certificate-dates', 'The certificate is valid now', 'fail', `It is valid from ${iso(c.validFrom)} to ${iso(c.validTo)} (0x2f05).`, 'Renew the certificate (or correct the clock, if it is wrong) and set it in tlsCertFile/tlsKeyFile or tlsPfxFile.'));
  else if (c.validTo.getTime() - f.now.getTime() < 30 * DAY) out.push(check('certificate-dates', 'The certificate is valid now', 'warn', `It expires on ${iso(c.validTo)}.`, 'Renew the certificate before then, and set the new one in the TLS settings.'));
  else out.push(check('certificate-dates', 'The certificate is valid now', 'pass', `Valid until ${iso(c.validTo)}.`));
  if (!c.sha1 && f.ocpePhones > 0) {
    out.push(check('certificate-sha2', 'CX700-era phones can use the certificate', 'warn', `${f.ocpePhones} CX700/IP8540 phone(s) checked in; they cannot use SHA-2 certificates over HTTPS (0x2f7d).`, 'Keep them on the internal HTTP URL (port 80), or give their HTTPS URL a SHA-1 certificate.'));
  }
  return out;
}

function externalUrlCheck(f: PreflightFacts): PreflightCheckDto {
  return f.externalUrl
    ? check('external-url', 'Phones outside get an external URL', 'pass', `ExternalBaseURL is ${f.externalUrl}.`)
    : check('external-url', 'Phones outside get an external URL', 'warn', 'No external URL is set: ExternalBaseURL repeats the internal one, so phones outside cannot download.', 'Set externalUrl to the reverse proxy\'s address, e.g. https://lyncext.contoso.com.');
}

function interimCheck(f: PreflightFacts): PreflightCheckDto {
  const title = 'OCPE phones can reach the interim build';
  if (f.interimLocales.length > 0) return check('interim', title, 'pass', `The interim image is in the store for ${f.interimLocales.join(', ')}.`);
  if (f.ocpePhones === 0) return check('interim', title, 'pass', 'No CX700/IP8540 phone has checked in, and no interim image is needed yet.');
  return check('interim', title, 'warn', `${f.ocpePhones} CX700/IP8540 phone(s) checked in but no interim image is in the store: those on 1.0.522.98 or older cannot update.`, 'Import the interim image (ucupdates import --interim OCInterim.cab).');
}

function clockCheck(f: PreflightFacts): PreflightCheckDto {
  const title = "The server's clock is sane";
  if (f.latestRecorded && f.now.getTime() < f.latestRecorded.getTime() - 5 * 60_000) {
    return check('clock', title, 'fail', `The clock says ${iso(f.now)}, but the store recorded ${iso(f.latestRecorded)}: it went back.`, 'Fix the time (NTP): phones take their time from the servers they use, and certificate checks depend on it.');
  }
  return check('clock', title, 'pass', `It is ${iso(f.now)} here${f.latestRecorded ? ', after everything the store recorded' : ''}.`);
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function hostOf(url: string): string {
  try {
    return url ? new URL(url).hostname : '';
  } catch {
    return '';
  }
}
