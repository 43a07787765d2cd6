// The HTTPS listener's certificate: the admin's PEM pair or PFX, else a self-signed one generated once and kept.
// Phones trust only certificates from the enterprise CA they were provisioned with, so the generated one is for a
// first run and for browsers; CX700-era phones also cannot use SHA-2 certificates (protocol.md section 8).
// A configured certificate that cannot be used is refused when it is set (tlsProblem); if it breaks later (a file
// moved, a renewal half done) the service still starts, on the self-signed certificate, with a warning.
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { generate } from 'selfsigned';
import type { Settings } from '../../shared/settings.js';
import { writeSmallFile } from './small-file.js';

type TlsSettings = Pick<Settings, 'tlsCertFile' | 'tlsKeyFile' | 'tlsPfxFile' | 'tlsPfxPassphrase'>;

export interface TlsMaterial {
  options: SecureContextOptions;
  source: string;
  /** Set when the configured certificate could not be used, or the generated one not kept: what is wrong, in words. */
  warning?: string;
}

/** What makes the configured certificate unusable, in one sentence, and the setting to correct. */
export interface TlsProblem {
  field: keyof TlsSettings;
  message: string;
}

/** Checked when a certificate setting changes: undefined when the configured certificate works, or none is set. */
export function tlsProblem(s: TlsSettings): TlsProblem | undefined {
  const r = configured(s);
  return r && 'field' in r ? r : undefined;
}

/** The certificate to serve: the admin's, else (with a warning when the admin's cannot be used) the self-signed one. */
export async function loadTls(s: TlsSettings, tlsDir: string): Promise<TlsMaterial> {
  const admin = configured(s);
  if (admin && !('field' in admin)) return admin;
  const fallback = await selfSigned(tlsDir);
  if (!admin) return fallback;
  const also = fallback.warning ? ` ${fallback.warning}` : '';
  return { ...fallback, warning: `${admin.message} HTTPS uses the self-signed certificate until it is corrected.${also}` };
}

/** The admin's certificate, read and tried now; a problem names the setting to correct. */
function configured(s: TlsSettings): TlsMaterial | TlsProblem | undefined {
  if (s.tlsPfxFile) {
    const pfx = read(s.tlsPfxFile, 'tlsPfxFile');
    if (!Buffer.isBuffer(pfx)) return pfx;
    // A wrong passphrase shows as a failed MAC check (OpenSSL's words).
    return tried({ pfx, passphrase: s.tlsPfxPassphrase || undefined }, s.tlsPfxFile, (m) =>
      /mac verify|passphrase|decrypt/i.test(m) ? 'tlsPfxPassphrase' : 'tlsPfxFile',
    );
  }
  if (!s.tlsCertFile && !s.tlsKeyFile) return undefined;
  if (!s.tlsKeyFile) return { field: 'tlsKeyFile', message: 'tlsCertFile is set without tlsKeyFile: set both (PEM), or tlsPfxFile instead.' };
  if (!s.tlsCertFile) return { field: 'tlsCertFile', message: 'tlsKeyFile is set without tlsCertFile: set both (PEM), or tlsPfxFile instead.' };
  const cert = read(s.tlsCertFile, 'tlsCertFile');
  if (!Buffer.isBuffer(cert)) return cert;
  const key = read(s.tlsKeyFile, 'tlsKeyFile');
  if (!Buffer.isBuffer(key)) return key;
  // Each alone first, so that the problem names the right file; then the pair (a key of another certificate).
  const certAlone = tried({ cert }, s.tlsCertFile, () => 'tlsCertFile');
  if ('field' in certAlone) return certAlone;
  const keyAlone = tried({ key }, s.tlsKeyFile, () => 'tlsKeyFile');
  if ('field' in keyAlone) return keyAlone;
  return tried({ cert, key }, s.tlsCertFile, () => 'tlsKeyFile');
}

function read(file: string, field: keyof TlsSettings): Buffer | TlsProblem {
  try {
    return readFileSync(file);
  } catch (e) {
    return { field, message: `The HTTPS certificate file ${file} (${field}) cannot be read: ${(e as Error).message}.` };
  }
}

function tried(options: SecureContextOptions, source: string, fieldOf: (message: string) => keyof TlsSettings): TlsMaterial | TlsProblem {
  try {
    createSecureContext(options);
    return { options, source };
  } catch (e) {
    const m = (e as Error).message;
    return { field: fieldOf(m), message: `The HTTPS certificate ${source} could not be used (${m}): check tlsCertFile and tlsKeyFile, or tlsPfxFile and tlsPfxPassphrase.` };
  }
}

/** The generated certificate, kept in tlsDir; made again if missing or unusable, and used unsaved if it cannot be kept. */
async function selfSigned(tlsDir: string): Promise<TlsMaterial> {
  const certFile = join(tlsDir, 'self-signed.crt');
  const keyFile = join(tlsDir, 'self-signed.key');
  const source = `${certFile} (self-signed)`;
  try {
    const kept = tried({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, source, () => 'tlsCertFile');
    if (!('field' in kept)) return kept;
  } catch {
    // not made yet, or unreadable: made (again) below
  }
  const pems = await generateSelfSigned();
  const options = { cert: pems.cert, key: pems.private };
  try {
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    writeSmallFile(keyFile, pems.private, 0o600);
    writeSmallFile(certFile, pems.cert);
    return { options, source };
  } catch (e) {
    return { options, source: 'a self-signed certificate made for this run', warning: `The self-signed certificate could not be kept in ${tlsDir} (${(e as Error).message}): a new one is made at each start until it can.` };
  }
}

function generateSelfSigned() {
  const host = hostname();
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 5);
  return generate([{ name: 'commonName', value: host }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...[host, 'ucupdates-r2', 'ucupdates', 'localhost'].map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
        ],
      },
    ],
  });
}
