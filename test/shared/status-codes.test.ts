import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeStatus } from '../../src/shared/status-codes.js';

const cases: [string, string, RegExp, number | null, RegExp][] = [
  ['0x0/200', '0x0/200', /^no error$/, 200, /why this phone got no update/],
  ['0x2ee2/200', '0x2ee2/200', /ERROR_INTERNET_TIMEOUT/, 200, /OK/],
  ['0x2ee7/0', '0x2ee7/0', /NAME_NOT_RESOLVED/, 0, /no answer/],
  ['0x2EFD', '0x2efd', /CANNOT_CONNECT/, null, /./],
  ['2efe / 200', '0x2efe/200', /CONNECTION_ABORTED/, 200, /OK/],
  ['0x2eff/200', '0x2eff/200', /CONNECTION_RESET/, 200, /OK/],
  ['0x2f7d/200', '0x2f7d/200', /SECURITY_CHANNEL_ERROR/, 200, /OK/],
  ['12157/200', '0x2f7d/200', /SECURITY_CHANNEL_ERROR/, 200, /OK/],
  ['0x2', '0x2', /signature check failed/, null, /./],
  ['0x0/401', '0x0/401', /^no error$/, 401, /Unauthorized/],
  ['0x0/404', '0x0/404', /^no error$/, 404, /Not Found/],
  ['0x1234/200', '0x1234/200', /unknown error/, 200, /OK/],
];

for (const [input, text, name, status, httpName] of cases) {
  test(`status code ${input}`, () => {
    const d = decodeStatus(input);
    assert.ok(d.ok, JSON.stringify(d));
    assert.equal(d.text, text);
    assert.match(d.error.name, name);
    assert.ok(d.error.meaning.length > 10);
    assert.equal(d.http?.code ?? null, status);
    if (d.http) assert.match(`${d.http.name} ${d.http.fix}`, httpName);
  });
}

test('the SHA-2 fix is named for the TLS channel error, the DNS names for an unresolved name', () => {
  const tls = decodeStatus('0x2f7d/200');
  assert.ok(tls.ok && /SHA-2/.test(tls.error.fix));
  const dns = decodeStatus('0x2ee7/200');
  assert.ok(dns.ok && /ucupdates-r2\./.test(dns.error.fix));
  const none = decodeStatus('0x0/200');
  assert.ok(none.ok && none.error.fix === '');
});

test('what is not a status code is said so', () => {
  for (const input of ['', 'hello', '0x/200', '0x2f7d/2000', '0x2f7d/abc', '-1']) {
    const d = decodeStatus(input);
    assert.equal(d.ok, false, input);
    if (!d.ok) assert.match(d.message, /is not a status code/);
  }
});
