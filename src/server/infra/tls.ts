// The HTTPS listener's certificate: the admin's PEM pair or PFX, else a self-signed one generated once and kept.
// Phones trust only certificates from the enterprise CA they were provisioned with, so the generated one is for a
// first run and for browsers; CX700-era phones also cannot use SHA-2 certificates (protocol.md section 8).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { generate } from 'selfsigned';
import type { Settings } from '../../shared/settings.js';

export interface TlsMaterial {
  options: SecureContextOptions;
  source: string;
}

export async function loadTls(s: Settings, tlsDir: string): Promise<TlsMaterial> {
  if (s.tlsPfxFile) {
    return checked(() => ({ options: { pfx: readFileSync(s.tlsPfxFile), passphrase: s.tlsPfxPassphrase || undefined }, source: s.tlsPfxFile }));
  }
  if (s.tlsCertFile || s.tlsKeyFile) {
    if (!s.tlsCertFile || !s.tlsKeyFile) throw new Error('Set both tlsCertFile and tlsKeyFile (PEM), or tlsPfxFile.');
    return checked(() => ({ options: { cert: readFileSync(s.tlsCertFile), key: readFileSync(s.tlsKeyFile) }, source: s.tlsCertFile }));
  }
  const certFile = join(tlsDir, 'self-signed.crt');
  const keyFile = join(tlsDir, 'self-signed.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const host = hostname();
    const notAfter = new Date();
    notAfter.setFullYear(notAfter.getFullYear() + 5);
    const pems = await generate([{ name: 'commonName', value: host }], {
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
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    writeFileSync(certFile, pems.cert);
  }
  return { options: { cert: readFileSync(certFile), key: readFileSync(keyFile) }, source: `${certFile} (self-signed)` };
}

/** Reads and tries the admin's certificate now, so that a wrong path or passphrase is one clear sentence at start. */
function checked(load: () => TlsMaterial): TlsMaterial {
  let m: TlsMaterial | undefined;
  try {
    m = load();
    createSecureContext(m.options);
    return m;
  } catch (e) {
    const what = m?.source ?? 'the configured file';
    throw new Error(`The HTTPS certificate could not be used (${what}): ${(e as Error).message}. Check tlsCertFile/tlsKeyFile or tlsPfxFile and tlsPfxPassphrase.`);
  }
}
