// The HTTPS certificate settings: refused when set if they cannot be used (one sentence, on the field to correct),
// and at start never a reason not to serve: the self-signed certificate stands in, with a warning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../src/server/app/app-error.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { loadTls } from '../../src/server/infra/tls.js';
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js';
import { freshStore, tempDir } from '../helpers.js';

const run = promisify(execFile);
let tmp: { dir: string; remove: () => Promise<void> };
const file = (name: string) => join(tmp.dir, name);

before(async () => {
  tmp = await tempDir('ucu-tls-');
  for (const n of ['a', 'b']) {
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${n}.contoso.test`, '-keyout', file(`${n}.key`), '-out', file(`${n}.crt`)]);
  }
  await run('openssl', ['pkcs12', '-export', '-inkey', file('a.key'), '-in', file('a.crt'), '-out', file('a.pfx'), '-passout', 'pass:s3cret-pfx']);
  writeFileSync(file('garbage.pem'), 'not a certificate\n');
  mkdirSync(file('a-folder.pem'));
});
after(() => tmp.remove());

test('a certificate setting that cannot be used is refused when set, naming the field, and nothing changes', async () => {
  const store = freshStore(file('refusals'));
  try {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['certificate without key', { tlsCertFile: file('a.crt') }, 'tlsKeyFile', /^tlsCertFile is set without tlsKeyFile: set both \(PEM\), or tlsPfxFile instead\.$/],
      ['key without certificate', { tlsKeyFile: file('a.key') }, 'tlsCertFile', /^tlsKeyFile is set without tlsCertFile/],
      ['missing certificate', { tlsCertFile: file('none.crt'), tlsKeyFile: file('a.key') }, 'tlsCertFile', /none\.crt \(tlsCertFile\) cannot be read: ENOENT/],
      ['unreadable key (a folder)', { tlsCertFile: file('a.crt'), tlsKeyFile: file('a-folder.pem') }, 'tlsKeyFile', /a-folder\.pem \(tlsKeyFile\) cannot be read: EISDIR/],
      ['not a certificate', { tlsCertFile: file('garbage.pem'), tlsKeyFile: file('a.key') }, 'tlsCertFile', /garbage\.pem could not be used/],
      ['key of another certificate', { tlsCertFile: file('a.crt'), tlsKeyFile: file('b.key') }, 'tlsKeyFile', /a\.crt could not be used \(.*key values mismatch\)/],
      ['wrong PFX passphrase', { tlsPfxFile: file('a.pfx'), tlsPfxPassphrase: 'nope' }, 'tlsPfxPassphrase', /a\.pfx could not be used \(mac verify failure\)/],
      ['missing PFX', { tlsPfxFile: file('none.pfx') }, 'tlsPfxFile', /none\.pfx \(tlsPfxFile\) cannot be read/],
    ];
    for (const [what, changes, field, message] of cases) {
      await assert.rejects(updateSettings(store, changes, 'test'), (e: unknown) => {
        assert.ok(e instanceof AppError, what);
        assert.equal(e.code, 'invalid_input', what);
        assert.equal(e.field, field, what);
        assert.match(e.message, message, what);
        return true;
      });
    }
    const s = await store.settings.read();
    assert.deepEqual([s.tlsCertFile, s.tlsKeyFile, s.tlsPfxFile, s.tlsPfxPassphrase], ['', '', '', '']);
    assert.deepEqual(await store.history.list(10), []);
  } finally {
    await store.close();
  }
});

test('a usable pair, a PFX with its passphrase, and clearing them are accepted', async () => {
  const store = freshStore(file('accepted'));
  try {
    await updateSettings(store, { tlsCertFile: file('a.crt'), tlsKeyFile: file('a.key') }, 'test');
    assert.equal((await store.settings.read()).tlsKeyFile, file('a.key'));
    await updateSettings(store, { tlsCertFile: '', tlsKeyFile: '' }, 'test');
    await updateSettings(store, { tlsPfxPassphrase: 's3cret-pfx' }, 'test'); // no PFX yet: nothing to try
    await updateSettings(store, { tlsPfxFile: file('a.pfx') }, 'test');
    assert.equal((await store.settings.read()).tlsPfxFile, file('a.pfx'));
  } finally {
    await store.close();
  }
});

test('at start, a certificate that cannot be used gives the self-signed one and a warning naming the problem', async () => {
  const tlsDir = file('fallback-tls');
  const broken = await loadTls({ ...DEFAULT_SETTINGS, tlsCertFile: file('a.crt'), tlsKeyFile: file('moved.key') }, tlsDir);
  assert.match(broken.source, /self-signed/);
  assert.match(broken.warning ?? '', /^The HTTPS certificate file .*moved\.key \(tlsKeyFile\) cannot be read: ENOENT.* HTTPS uses the self-signed certificate until it is corrected\.$/);
  const fine = await loadTls({ ...DEFAULT_SETTINGS, tlsCertFile: file('a.crt'), tlsKeyFile: file('a.key') }, tlsDir);
  assert.deepEqual([fine.source, fine.warning], [file('a.crt'), undefined]);
});

test('a damaged kept self-signed certificate is made again; one that cannot be kept is used for the run, with a warning', async () => {
  const tlsDir = file('damaged-tls');
  const first = await loadTls(DEFAULT_SETTINGS, tlsDir);
  assert.equal(first.warning, undefined);
  writeFileSync(join(tlsDir, 'self-signed.key'), '-----BEGIN PRIVATE KEY-----\ntruncated'); // as a full disk once left it
  const again = await loadTls(DEFAULT_SETTINGS, tlsDir);
  assert.equal(again.warning, undefined);
  assert.notEqual(readFileSync(join(tlsDir, 'self-signed.crt'), 'utf8'), String(first.options.cert));

  writeFileSync(file('not-a-folder'), ''); // the tls folder's place is taken: nothing can be kept there
  const unsaved = await loadTls(DEFAULT_SETTINGS, file('not-a-folder'));
  assert.ok(unsaved.options.cert && unsaved.options.key);
  assert.match(unsaved.warning ?? '', /^The self-signed certificate could not be kept in .*not-a-folder \(.*\): a new one is made at each start until it can\.$/);
});
