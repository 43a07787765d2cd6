import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateCovers, judgePreflight, phoneReachable, type PreflightFacts } from '../../src/server/domain/preflight.js';

const NOW = new Date('2026-12-01T10:00:00Z');
const DAY = 86_400_000;
const good: PreflightFacts = {
  domain: 'contoso.com',
  dns: [
    { name: 'ucupdates-r2.contoso.com', addresses: ['10.0.0.5'] },
    { name: 'ucupdates.contoso.com', addresses: ['10.0.0.5'] },
  ],
  serverAddresses: ['127.0.0.1', '10.0.0.5'],
  ports: { http: 80, https: 443 },
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
  assert.deepEqual(Object.keys(v), ['dns:ucupdates-r2.contoso.com', 'dns:ucupdates.contoso.com', 'ports', 'certificate-names', 'certificate-dates', 'certificate-sha2', 'external-url', 'interim', 'clock']);
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
  { name: 'r2 name elsewhere', facts: { dns: [{ name: 'ucupdates-r2.contoso.com', addresses: ['10.9.9.9'] }] }, id: 'dns:ucupdates-r2.contoso.com', status: 'fail', detail: /resolves to 10\.9\.9\.9, not to an address of this server/ },
  { name: 'legacy name missing is a warning', facts: { dns: [{ name: 'ucupdates.contoso.com', addresses: [], error: 'ENOTFOUND' }] }, id: 'dns:ucupdates.contoso.com', status: 'warn', detail: /does not resolve/ },
  { name: 'certificate without the r2 name', facts: { certificate: { ...(good.certificate as object), names: ['pool01.contoso.com', 'lyncext.contoso.com'] } as PreflightFacts['certificate'] }, id: 'certificate-names', status: 'fail', detail: /not ucupdates-r2\.contoso\.com/ },
  { name: 'self-signed', facts: { certificate: { ...(good.certificate as object), selfSigned: true } as PreflightFacts['certificate'] }, id: 'certificate-trust', status: 'fail', detail: /self-signed/ },
  { name: 'expired', facts: { certificate: { ...(good.certificate as object), validTo: new Date(NOW.getTime() - DAY) } as PreflightFacts['certificate'] }, id: 'certificate-dates', status: 'fail', detail: /valid from .* to Mon, 30 Nov 2026 10:00:00 GMT/ },
  { name: 'expiring soon', facts: { certificate: { ...(good.certificate as object), validTo: new Date(NOW.getTime() + 10 * DAY) } as PreflightFacts['certificate'] }, id: 'certificate-dates', status: 'warn', detail: /expires on Fri, 11 Dec 2026 10:00:00 GMT/ },
  { name: 'unreadable certificate', facts: { certificate: { error: 'connect ECONNREFUSED' } }, id: 'certificate', status: 'fail', detail: /could not be read: connect ECONNREFUSED/ },
  { name: 'no external URL', facts: { externalUrl: '' }, id: 'external-url', status: 'warn', detail: /repeats the internal one/ },
  { name: 'OCPE phones without interim image', facts: { interimLocales: [] }, id: 'interim', status: 'warn', detail: /3 CX700\/IP8540 phone\(s\).*no interim image/ },
  { name: 'no OCPE phones, no interim image needed', facts: { interimLocales: [], ocpePhones: 0 }, id: 'interim', status: 'pass', detail: /no interim image is needed/ },
  { name: 'r2 name on loopback', facts: { dns: [{ name: 'ucupdates-r2.contoso.com', addresses: ['127.0.0.1'] }] }, id: 'dns:ucupdates-r2.contoso.com', status: 'fail', detail: /resolves to 127\.0\.0\.1, not to an address of this server that phones can reach/ },
  { name: 'listeners off the standard ports', facts: { ports: { http: 18080, https: 8443 } }, id: 'ports', status: 'warn', detail: /HTTP on 18080 rather than 80 and HTTPS on 8443 rather than 443/ },
  { name: 'no server running to present a certificate', facts: { certificate: { notRunning: true } }, id: 'certificate', status: 'warn', detail: /No ucupdates server is running/ },
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

test('pre-flight: DNS advice names only addresses phones can reach (no loopback, link-local), with A and AAAA records', () => {
  const serverAddresses = ['127.0.0.1', '::1', 'fe80::a00:27ff:fe4e:66a1', '169.254.10.1', '10.0.0.5', 'fd00::5', '::ffff:127.0.0.1'];
  const v = verdicts({ ...good, serverAddresses, dns: [{ name: 'ucupdates-r2.contoso.com', addresses: [], error: 'ENOTFOUND' }] })['dns:ucupdates-r2.contoso.com']!;
  assert.equal(v.fix, "Create a DNS record ucupdates-r2.contoso.com: an A record for 10.0.0.5, or an AAAA record for fd00::5 (this server's addresses phones can reach).");
  const none = verdicts({ ...good, serverAddresses: ['127.0.0.1', '::1', 'fe80::1'], dns: [{ name: 'ucupdates-r2.contoso.com', addresses: [] }] })['dns:ucupdates-r2.contoso.com']!;
  assert.match(none.fix, /^This server has no address phones can reach/);
  assert.deepEqual(
    ['10.1.2.3', '192.168.1.9', '172.17.0.1', '2001:db8::1', 'fd12::1', '0.0.0.0', '127.0.1.1', '169.254.0.1', '224.0.0.1', '::', '::1', 'FE80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1'].map(phoneReachable),
    [true, true, true, true, true, false, false, false, false, false, false, false, false, false, true],
  );
});

test('pre-flight: the SHA-2 advice names the HTTP port the listener really uses', () => {
  assert.match(verdicts({ ...good, ports: { http: 18080, https: 443 } })['certificate-sha2']!.fix, /internal HTTP URL \(port 18080\)/);
});
