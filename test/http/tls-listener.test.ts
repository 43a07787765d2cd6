// The HTTPS listener with the admin's own certificate: PEM pair, PFX with passphrase, and the self-signed one standing
// in, with a warning, for a certificate that can no longer be used.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { updateSettings } from '../../src/server/app/settings.js';
import { Store } from '../../src/server/app/store.js';
import { startServer } from '../../src/server/compose.js';
import { silentLog, tempDir } from '../helpers.js';

const run = promisify(execFile);
let tmp: { dir: string; remove: () => Promise<void> };
const ports = { httpPort: 0, httpsPort: 0, adminPort: 0, adminHost: '127.0.0.1' };

before(async () => {
  tmp = await tempDir();
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ucupdates.contoso.test',
    '-keyout', join(tmp.dir, 'key.pem'), '-out', join(tmp.dir, 'cert.pem')]);
  await run('openssl', ['pkcs12', '-export', '-inkey', join(tmp.dir, 'key.pem'), '-in', join(tmp.dir, 'cert.pem'),
    '-out', join(tmp.dir, 'cert.pfx'), '-passout', 'pass:s3cret-pfx']);
});
after(() => tmp.remove());

async function configure(dataDir: string, changes: Record<string, unknown>): Promise<void> {
  const store = new Store(dataDir);
  try {
    await updateSettings(store, changes, 'test');
  } finally {
    await store.close();
  }
}

function peerCertificate(url: string): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(url).port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}
const peerCommonName = async (url: string) => String((await peerCertificate(url)).subject.CN);

test('serves HTTPS with the admin\'s PEM certificate and key', async () => {
  const data = join(tmp.dir, 'pem');
  await configure(data, { tlsCertFile: join(tmp.dir, 'cert.pem'), tlsKeyFile: join(tmp.dir, 'key.pem') });
  const server = await startServer({ dataDir: data, overrides: ports, log: silentLog });
  try {
    assert.equal(await peerCommonName(server.urls.https), 'ucupdates.contoso.test');
  } finally {
    await server.close();
  }
});

test('serves HTTPS with a PFX and its passphrase', async () => {
  const data = join(tmp.dir, 'pfx');
  await configure(data, { tlsPfxFile: join(tmp.dir, 'cert.pfx'), tlsPfxPassphrase: 's3cret-pfx' });
  const server = await startServer({ dataDir: data, overrides: ports, log: silentLog });
  try {
    assert.equal(await peerCommonName(server.urls.https), 'ucupdates.contoso.test');
  } finally {
    await server.close();
  }
});

test('a certificate that broke after it was set (moved, wrong passphrase, half a pair) falls back to the self-signed one with a warning naming it', async () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['wrong passphrase', { tlsPfxFile: join(tmp.dir, 'cert.pfx'), tlsPfxPassphrase: 'nope' }, /cert\.pfx could not be used \(mac verify failure\).*tlsPfxPassphrase/],
    ['missing file', { tlsCertFile: join(tmp.dir, 'none.pem'), tlsKeyFile: join(tmp.dir, 'key.pem') }, /none\.pem \(tlsCertFile\) cannot be read: ENOENT/],
    ['half a pair', { tlsCertFile: join(tmp.dir, 'cert.pem') }, /tlsCertFile is set without tlsKeyFile/],
  ];
  for (const [what, changes, message] of cases) {
    const data = join(tmp.dir, what.replace(/ /g, '-'));
    const store = new Store(data);
    await store.settings.write(changes); // as the store holds them after the files changed: updateSettings would refuse them now
    await store.close();
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(String(JSON.parse(line).msg)) });
    const server = await startServer({ dataDir: data, overrides: ports, log });
    try {
      assert.equal(warnings.filter((w) => message.test(w)).length, 1, `${what}: ${warnings.join(' | ')}`);
      assert.match(warnings.find((w) => message.test(w))!, /HTTPS uses the self-signed certificate until it is corrected\.$/);
      assert.notEqual(await peerCommonName(server.urls.https), 'ucupdates.contoso.test', what);
    } finally {
      await server.close();
    }
  }
});

test('without a configured certificate a self-signed one is made once and kept', async () => {
  const data = join(tmp.dir, 'self');
  const first = await startServer({ dataDir: data, overrides: ports, log: silentLog });
  const cert = await peerCertificate(first.urls.https);
  await first.close();
  const second = await startServer({ dataDir: data, overrides: ports, log: silentLog });
  try {
    assert.ok(String(cert.subject.CN).length > 0);
    assert.equal((await peerCertificate(second.urls.https)).fingerprint256, cert.fingerprint256);
  } finally {
    await second.close();
  }
});
