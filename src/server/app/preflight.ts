// Gathers the pre-flight's facts (DNS, the certificate the HTTPS listener really presents, settings, the store)
// and has domain/preflight.ts judge them.
import { X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { hostname, networkInterfaces } from 'node:os';
import { connect } from 'node:tls';
import type { PreflightDto } from '../../shared/admin-api.js';
import { judgePreflight, type CertificateFacts, type PreflightFacts } from '../domain/preflight.js';
import { phonePorts } from './phone-ports.js';
import type { Store } from './store.js';

const TIMEOUT_MS = 3000;
/** Tanjay-family phones: the ones that need the interim build and SHA-1 certificates. */
const OCPE_MODELS = ['CX700', 'IP8540'];

/**
 * `running`: the running server's phone URLs (its HTTPS listener is probed), or undefined when none runs (the CLI
 * alone: the ports are those `serve` would take); `domain`: the phones' DNS domain, when the admin gave it.
 */
export async function runPreflight(store: Store, running: { http: string; https: string } | undefined, domain?: string): Promise<PreflightDto> {
  const settings = await store.settings.read();
  const d = domain || domainOf(settings.internalUrl) || domainOf(`http://${hostname()}`);
  const now = store.now();
  const ocpePhones = await store.devices.countOfModels(OCPE_MODELS);
  const latest = [(await store.history.list(1))[0]?.at, await store.devices.latestSeen()].filter((t): t is string => !!t).sort().at(-1);
  const ports = await phonePorts(settings, running);
  const [dns, certificate] = await Promise.all([
    d ? Promise.all([`ucupdates-r2.${d}`, `ucupdates.${d}`].map(resolve)) : Promise.resolve([]),
    running ? presentedCertificate(ports.https, d ? `ucupdates-r2.${d}` : undefined) : { notRunning: true as const },
  ]);
  const facts: PreflightFacts = {
    domain: d,
    dns,
    serverAddresses: Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)),
    ports,
    certificate,
    internalUrl: settings.internalUrl,
    externalUrl: settings.externalUrl,
    interimLocales: (await store.packages.listInterim()).map((i) => i.locale),
    ocpePhones,
    latestRecorded: latest ? new Date(latest) : null,
    now,
  };
  return { domain: d, checks: judgePreflight(facts) };
}

/** contoso.com of pool01.contoso.com; '' for a single-label or IP host. */
function domainOf(url: string): string {
  try {
    const host = new URL(url).hostname;
    return /^[\d.]+$|^\[/.test(host) || !host.includes('.') ? '' : host.slice(host.indexOf('.') + 1);
  } catch {
    return '';
  }
}

async function resolve(name: string): Promise<PreflightFacts['dns'][number]> {
  try {
    const found = await withTimeout(lookup(name, { all: true }), `no answer within ${TIMEOUT_MS / 1000} s`);
    return { name, addresses: found.map((a) => a.address) };
  } catch (e) {
    return { name, addresses: [], error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}

/** Connects to the listener as a phone would (with its SNI name) and reads the certificate it presents. */
function presentedCertificate(port: number, servername: string | undefined): Promise<CertificateFacts | { error: string }> {
  const probe = new Promise<CertificateFacts>((ok, fail) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      if (cert) ok(certificateFacts(cert));
      else fail(new Error('no certificate was presented'));
    });
    socket.on('error', fail);
  });
  return withTimeout(probe, 'the HTTPS listener did not answer').catch((e: Error) => ({ error: e.message }));
}

// sha1WithRSAEncryption (1.2.840.113549.1.1.5) and ecdsa-with-SHA1 (1.2.840.10045.4.1), DER-encoded.
const SHA1_OIDS = [Buffer.from('06092a864886f70d010105', 'hex'), Buffer.from('06072a8648ce3d0401', 'hex')];

export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const alt = (cert.subjectAltName ?? '').split(/,\s*/).map((s) => s.replace(/^(DNS|IP Address):/, '')).filter(Boolean);
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  return {
    names: [...new Set([...(cn ? [cn] : []), ...alt])],
    // Not checkIssued: OpenSSL also wants keyCertSign there, which a server certificate lacks.
    selfSigned: cert.issuer === cert.subject && cert.verify(cert.publicKey),
    sha1: SHA1_OIDS.some((oid) => cert.raw.includes(oid)),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
  };
}

function withTimeout<T>(p: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(message)), TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}
