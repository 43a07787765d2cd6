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
  /** This machine's addresses (all of them: loopback and link-local ones are left out here). */
  serverAddresses: string[];
  /** The ports the phone listeners use: the running server's, else those `serve` would take. */
  ports: { http: number; https: number };
  /** The certificate the running HTTPS listener presents; `notRunning` when no server runs to present one. */
  certificate: CertificateFacts | { error: string } | { notRunning: true };
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
  return [...dnsChecks(f), portsCheck(f), ...certificateChecks(f), externalUrlCheck(f), interimCheck(f), clockCheck(f)];
}

/**
 * Whether phones on the network could reach the address: not loopback, unspecified, link-local (fe80::, 169.254.x,
 * which needs the interface named) or multicast. Private (10.x, 192.168.x, fc00::) ones are what phones use.
 */
export function phoneReachable(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(a);
  if (v4) {
    const [first, second] = [Number(v4[1]), Number(v4[2])];
    return !(first === 0 || first === 127 || (first === 169 && second === 254) || first >= 224);
  }
  return a.includes(':') && !(a === '::' || a === '::1' || /^fe[89ab]/.test(a) || a.startsWith('ff'));
}

function dnsChecks(f: PreflightFacts): PreflightCheckDto[] {
  if (!f.domain) {
    return [check('dns', 'Phones find the server by DNS', 'warn', 'The phones\' DNS domain is not known, so the ucupdates-r2 name could not be checked.', 'Give the domain (the DHCP domain option phones get), e.g. contoso.com.')];
  }
  const mine = f.serverAddresses.filter(phoneReachable);
  const records = (name: string) => {
    const v4 = mine.filter((a) => !a.includes(':'));
    const v6 = mine.filter((a) => a.includes(':'));
    if (mine.length === 0) return `This server has no address phones can reach: connect it to the phones' network, then create a DNS record ${name} for its address.`;
    const kinds = [v4.length && `an A record for ${v4.join(' or ')}`, v6.length && `an AAAA record for ${v6.join(' or ')}`].filter(Boolean);
    return `Create a DNS record ${name}: ${kinds.join(', or ')} (this server's addresses phones can reach).`;
  };
  return f.dns.map(({ name, addresses, error }) => {
    const legacy = name.startsWith('ucupdates.');
    const title = `${name} resolves to this server${legacy ? ' (firmware before R2)' : ''}`;
    if (error || addresses.length === 0) return check(`dns:${name}`, title, legacy ? 'warn' : 'fail', `${name} does not resolve${error ? ` (${error})` : ''}.`, records(name));
    const ours = addresses.filter((a) => mine.includes(a));
    if (ours.length === 0) return check(`dns:${name}`, title, legacy ? 'warn' : 'fail', `${name} resolves to ${addresses.join(', ')}, not to an address of this server that phones can reach.`, records(name));
    return check(`dns:${name}`, title, 'pass', `${name} resolves to ${ours.join(', ')}.`);
  });
}

/** Phones that find the server by its DNS name ask the standard ports. */
function portsCheck(f: PreflightFacts): PreflightCheckDto {
  const { http, https } = f.ports;
  const title = 'Phones reach the standard ports';
  if (http === 80 && https === 443) return check('ports', title, 'pass', 'The phone listeners use ports 80 (HTTP) and 443 (HTTPS).');
  const off = [http !== 80 && `HTTP on ${http} rather than 80`, https !== 443 && `HTTPS on ${https} rather than 443`].filter(Boolean).join(' and ');
  return check(
    'ports',
    title,
    'warn',
    `The phone listeners use ${off}: phones that find the server by its DNS name ask ports 80 and 443.`,
    `Set httpPort 80 and httpsPort 443 and give the service the right to bind them, or forward ${[http !== 80 && `port 80 to ${http}`, https !== 443 && `port 443 to ${https}`].filter(Boolean).join(' and ')}.`,
  );
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
  if ('notRunning' in c) return [check('certificate', 'The HTTPS certificate', 'warn', 'No ucupdates server is running, so the certificate phones get could not be read.', 'Start the service (ucupdates serve) and run the pre-flight again.')];
  if ('error' in c) return [check('certificate', 'The HTTPS certificate', 'fail', `The HTTPS listener's certificate could not be read: ${c.error}.`, 'Check the tlsCertFile/tlsKeyFile or tlsPfxFile settings and the server log.')];
  const hosts = [f.domain && `ucupdates-r2.${f.domain}`, hostOf(f.internalUrl), hostOf(f.externalUrl)].filter((h): h is string => !!h);
  const missing = [...new Set(hosts)].filter((h) => !certificateCovers(c.names, h));
  const out = [
    missing.length === 0
      ? check('certificate-names', 'The certificate names the server', hosts.length ? 'pass' : 'warn', hosts.length ? `It covers ${[...new Set(hosts)].join(', ')}.` : `It names ${c.names.join(', ')}; no host name to compare it with.`, hosts.length ? '' : 'Give the domain, or set internalUrl.')
      : check('certificate-names', 'The certificate names the server', 'fail', `It names ${c.names.join(', ') || 'nothing'}, not ${missing.join(', ')}: phones refuse it (0x2f06).`, `Issue a certificate with ${missing.join(', ')} in its subject alternative names.`),
  ];
  if (c.selfSigned) out.push(check('certificate-trust', 'Phones trust the certificate', 'fail', 'It is self-signed (made on first run): no phone trusts it (0x2f0d).', 'Use a certificate from the enterprise CA the phones trust (settings tlsCertFile and tlsKeyFile, or tlsPfxFile).'));
  if (f.now < c.validFrom || f.now > c.validTo) out.push(check('certificate-dates', 'The certificate is valid now', 'fail', `It is valid from ${when(c.validFrom)} to ${when(c.validTo)} (0x2f05).`, 'Renew the certificate (or correct the clock, if it is wrong) and set it in tlsCertFile/tlsKeyFile or tlsPfxFile.'));
  else if (c.validTo.getTime() - f.now.getTime() < 30 * DAY) out.push(check('certificate-dates', 'The certificate is valid now', 'warn', `It expires on ${when(c.validTo)}.`, 'Renew the certificate before then, and set the new one in the TLS settings.'));
  else out.push(check('certificate-dates', 'The certificate is valid now', 'pass', `Valid until ${when(c.validTo)}.`));
  if (!c.sha1 && f.ocpePhones > 0) {
    out.push(check('certificate-sha2', 'CX700-era phones can use the certificate', 'warn', `${f.ocpePhones} CX700/IP8540 phone(s) checked in; they cannot use SHA-2 certificates over HTTPS (0x2f7d).`, `Keep them on the internal HTTP URL (port ${f.ports.http}), or give their HTTPS URL a SHA-1 certificate.`));
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
    return check('clock', title, 'fail', `The clock says ${when(f.now)}, but the store recorded ${when(f.latestRecorded)}: it went back.`, 'Fix the time (NTP): phones take their time from the servers they use, and certificate checks depend on it.');
  }
  return check('clock', title, 'pass', `It is ${when(f.now)} here${f.latestRecorded ? ', after everything the store recorded' : ''}.`);
}

// A time every reader takes the same way, in words (the console shows no ISO stamps): Tue, 01 Dec 2026 10:00:00 GMT.
const when = (d: Date) => d.toUTCString();

function hostOf(url: string): string {
  try {
    return url ? new URL(url).hostname : '';
  } catch {
    return '';
  }
}
