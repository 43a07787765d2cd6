import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateCovers, judgePreflight, type PreflightFacts } from '../../src/server/domain/preflight.js';

const NOW = new Date('2026-12-01T10:00:00Z');
const DAY = 86_400_000;
const good: PreflightFacts = {
  domain: 'contoso.com',
  dns: [
    { name: 'ucupdates-r2.contoso.com', addresses: ['10.0.0.5'] },
    { name: 'ucupdates.contoso.com', addresses: ['10.0.0.5'] },
  ],
  serverAddresses: ['127.0.0.1', '10.0.0.5'],
  certificate: { names: ['pool01.contoso.com', '*.contoso.com'], selfSigned: false, sha1: false, validFrom: new Date(NOW.getTime() - 100 * DAY), validTo: new Date(NOW.getTime() + 300 * DAY) },
  internalUrl: 'http://pool01.contoso.com',
  externalUrl: 'https://lyncext.contoso.com',
  interimLocales: ['ENU'],
  ocpePhones: 3,
  latestRecorded: new Date(NOW.getTime() - 60_000),
  now: NOW,
};
const verdicts = (f: PreflightFacts) => Object.fromEntries(judgePreflight(f).map((c) => [c.id, c]));

test('pre-flight: a healthy deployment passes everything but the SHA-2 warning for CX700-era phones', () => {
  const v = verdicts(good);
  assert.deepEqual(Object.keys(v), ['dns:ucupdates-r2.contoso.com', 'dns:ucupdates.contoso.com', 'certificate-names', 'certificate-dates', 'certificate-sha2', 'external-url', 'interim', 'clock']);
  for (const c of Object.values(v)) {
    assert.equal(c.status, c.id === 'certificate-sha2' ? 'warn' : 'pass', `${c.id}: ${c.detail}`);
    assert.equal(c.fix === '', c.status === 'pass', c.id);
  }
  assert.equal(verdicts({ ...good, certificate: { ...(good.certificate as object), sha1: true } as PreflightFacts['certificate'] })['certificate-sha2'], undefined);
  assert.equal(verdicts({ ...good, ocpePhones: 0 })['certificate-sha2'], undefined);
});

const cases: { name: string; facts: Partial<PreflightFacts>; id: string; status: 'pass' | 'warn' | 'fail'; detail: RegExp }[] = [
  { name: 'no domain known', facts: { domain: '', dns: [] }, id: 'dns', status: 'warn', detail: /domain is not known/ },
  { name: 'r2 name missing', facts: { dns: [{ name: 'ucupdates-r2.contoso.com', addresses: [], error: 'ENOTFOUND' }] }, id: 'dns:ucupdates-r2.contoso.com', status: 'fail', detail: /does not resolve \(ENOTFOUND\)/ },
  { name: 'r2 name elsewhere', facts: { dns: [{ name: 'ucupdates-r2.contoso.com', addresses: ['10.9.9.9'] }] }, id: 'dns:ucupdates-r2.contoso.com', status: 'fail', detail: /resolves to 10\.9\.9\.9, not to this server/ },
  { name: 'legacy name missing is a warning', facts: { dns: [{ name: 'ucupdates.contoso.com', addresses: [], error: 'ENOTFOUND' }] }, id: 'dns:ucupdates.contoso.com', status: 'warn', detail: /does not resolve/ },
  { name: 'certificate without the r2 name', facts: { certificate: { ...(good.certificate as object), names: ['pool01.contoso.com', 'lyncext.contoso.com'] } as PreflightFacts['certificate'] }, id: 'certificate-names', status: 'fail', detail: /not ucupdates-r2\.contoso\.com/ },
  { name: 'self-signed', facts: { certificate: { ...(good.certificate as object), selfSigned: true } as PreflightFacts['certificate'] }, id: 'certificate-trust', status: 'fail', detail: /self-signed/ },
  { name: 'expired', facts: { certificate: { ...(good.certificate as object), validTo: new Date(NOW.getTime() - DAY) } as PreflightFacts['certificate'] }, id: 'certificate-dates', status: 'fail', detail: /valid from .* to 2026-11-30/ },
  { name: 'expiring soon', facts: { certificate: { ...(good.certificate as object), validTo: new Date(NOW.getTime() + 10 * DAY) } as PreflightFacts['certificate'] }, id: 'certificate-dates', status: 'warn', detail: /expires on 2026-12-11/ },
  { name: 'unreadable certificate', facts: { certificate: { error: 'connect ECONNREFUSED' } }, id: 'certificate', status: 'fail', detail: /could not be read: connect ECONNREFUSED/ },
  { name: 'no external URL', facts: { externalUrl: '' }, id: 'external-url', status: 'warn', detail: /repeats the internal one/ },
  { name: 'OCPE phones without interim image', facts: { interimLocales: [] }, id: 'interim', status: 'warn', detail: /3 CX700\/IP8540 phone\(s\).*no interim image/ },
  { name: 'no OCPE phones, no interim image needed', facts: { interimLocales: [], ocpePhones: 0 }, id: 'interim', status: 'pass', detail: /no interim image is needed/ },
  { name: 'clock went back', facts: { latestRecorded: new Date(NOW.getTime() + DAY) }, id: 'clock', status: 'fail', detail: /went back/ },
];

for (const c of cases) {
  test(`pre-flight: ${c.name}`, () => {
    const v = verdicts({ ...good, ...c.facts })[c.id];
    assert.ok(v, `a verdict ${c.id}`);
    assert.equal(v.status, c.status, v.detail);
    assert.match(v.detail, c.detail);
    if (c.status !== 'pass') assert.ok(v.fix.length > 10, 'says what to do');
  });
}

test('certificate names: exact, or one leftmost wildcard label', () => {
  assert.equal(certificateCovers(['UCUpdates-R2.contoso.com'], 'ucupdates-r2.contoso.com'), true);
  assert.equal(certificateCovers(['*.contoso.com'], 'ucupdates-r2.contoso.com'), true);
  assert.equal(certificateCovers(['*.contoso.com'], 'a.b.contoso.com'), false);
  assert.equal(certificateCovers(['*.contoso.com'], 'contoso.com'), false);
  assert.equal(certificateCovers(['pool01.contoso.com'], 'ucupdates-r2.contoso.com'), false);
});
