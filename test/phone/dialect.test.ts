import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseLogUpload,
  parseUpdateRequest,
  parseUpdateResponse,
  renderUpdateRequest,
  renderUpdateResponse,
  routePhoneRequest,
} from '../../src/server/phone/dialect.js';

const PHONE: Parameters<typeof renderUpdateRequest>[0] = {
  deviceType: 'UCPhone', macRaw: '0021630F207B', serial: 'C185H001209', vendor: 'Polycom', model: 'CX600', revision: 'A',
  locale: 'ENU', userName: 'user@contoso.com', requestTime: '', modules: [{ fileName: 'cpe.nbt', version: '1.0.522.34', timestamp: '01-01-1601 00:00:00' }],
};
/** maxFieldChars as shipped. */
const parse = (body: string) => parseUpdateRequest(body, 256);

const SAMPLE = `<Request>
  <DeviceType>UCPhone</DeviceType><MacAddress>0021630F207B</MacAddress><SerialNumber>C185H001209</SerialNumber>
  <Vendor>LG-Nortel</Vendor><Model>IP8540</Model><Revision>A</Revision><Locale>ENU</Locale>
  <UserName>user@contoso.com</UserName>
  <Files><File><FileName>cpe.nbt</FileName><Version>1.0.522.34</Version><TimeStamp>01-01-1601 00:00:00</TimeStamp></File></Files>
</Request>`;

test('parses the reconstructed request', () => {
  const r = parse(SAMPLE);
  assert.ok(r.ok);
  assert.deepEqual(r.request, {
    deviceType: 'UCPhone',
    macRaw: '0021630F207B',
    mac: '0021630F207B',
    serial: 'C185H001209',
    vendor: 'LG-Nortel',
    model: 'IP8540',
    revision: 'A',
    locale: 'ENU',
    userName: 'user@contoso.com',
    requestTime: '',
    modules: [{ fileName: 'cpe.nbt', version: '1.0.522.34', timestamp: '01-01-1601 00:00:00' }],
  });
});

test('lenient: any case, namespaces, Brand for Vendor, MACAddress, attributes, unknown elements', () => {
  const r = parse(`<?xml version="1.0"?>
    <u:request xmlns:u="urn:x"><u:DEVICETYPE>UCPhone</u:DEVICETYPE><MACAddress>00-21-63-0f-20-7b</MACAddress>
    <Brand>Polycom</Brand><model>CX700</model><Revision>A</Revision><Locale>DEU</Locale><Firmware>x</Firmware>
    <Modules><Module Name="CPE.nbt" Version="3.5.6907.35" TimeStamp="16-12-2008 04:43:58"/></Modules></u:request>`);
  assert.ok(r.ok);
  assert.equal(r.request.vendor, 'Polycom');
  assert.equal(r.request.mac, '0021630F207B');
  assert.equal(r.request.model, 'CX700');
  assert.deepEqual(r.request.modules, [{ fileName: 'CPE.nbt', version: '3.5.6907.35', timestamp: '16-12-2008 04:43:58' }]);
});

test('read in document order as the tree was: first value wins, the last attribute of a local name, containers without a file name read as plain elements', () => {
  const r = parse(`<Request a:Model="CX600" b:Model="CX700" Vendor=" Polycom ">
  <Vendor>HP</Vendor><Info><Locale>DEU</Locale><Extra/></Info><Locale>ENU</Locale>
  <File Revision="B"><Model>CX3000</Model><UserName>in@file</UserName></File>
  <Modules><Module name="cpe.nbt" version="1.0.1"><TimeStamp>t1</TimeStamp></Module><File><Name>cpe.cat</Name><Version>1.0.2</Version></File></Modules>
  <Group><Items>3</Items></Group><MacAddress>0021630F207B</MacAddress>
</Request>`);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.request.model, 'CX700', 'attributes of one local name: the last; before any later element');
  assert.equal(r.request.vendor, 'Polycom', 'the root\'s attribute, trimmed, comes before its children');
  assert.equal(r.request.locale, 'DEU', 'the first leaf of a name anywhere in the document');
  assert.equal(r.request.revision, 'B', 'a File without a file name is read as any element: its attributes');
  assert.equal(r.request.userName, 'in@file', '... and its leaves');
  assert.deepEqual(r.request.modules, [
    { fileName: 'cpe.nbt', version: '1.0.1', timestamp: 't1' },
    { fileName: 'cpe.cat', version: '1.0.2', timestamp: '' },
  ]);
  assert.equal(r.request.mac, '0021630F207B');
});

test('lenient: modules in the audit-log form', () => {
  const r = parse('<Request><Model>CX600</Model><Files>cpe.nbt;4.0.7577.4366;01-01-2012 00:00:00#x.bin;1.0.0.0;</Files></Request>');
  assert.ok(r.ok);
  assert.deepEqual(r.request.modules.map((m) => m.fileName), ['cpe.nbt', 'x.bin']);
});

test('a MAC field that is not a MAC is refused, naming the field; a blank one is read (the phone is known by its serial)', () => {
  for (const body of ['<Request><MacAddress>00216ZZZ207B</MacAddress><SerialNumber>C185H</SerialNumber></Request>', '<Request><mac>12345</mac></Request>']) {
    const r = parse(body);
    assert.equal(r.ok, false, body);
    assert.match((r as { error: string }).error, /^"(macaddress|mac)" is not a MAC address \(12 hex digits/);
  }
  const blank = parse('<Request><MacAddress> </MacAddress><SerialNumber>C185H</SerialNumber></Request>');
  assert.ok(blank.ok);
  assert.equal(blank.request.mac, '');
  const dotted = parse('<Request><MacAddress>0021.630f.207b</MacAddress></Request>');
  assert.ok(dotted.ok);
  assert.equal(dotted.request.mac, '0021630F207B');
});

test('refuses DTDs: XXE and entity expansion', () => {
  const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Request><Model>&x;</Model></Request>`;
  const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Request>&lol2;</Request>`;
  for (const body of [xxe, lol]) {
    const r = parse(body);
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /DTD/);
  }
});

test('refuses malformed XML, empty bodies and deep nesting with a reason', () => {
  const deep = `<Request>${'<x>'.repeat(20_000)}${'</x>'.repeat(20_000)}</Request>`;
  for (const body of ['', '<Request><Model>CX600</Request>', 'not xml at all', '<a><b></a></b>', deep]) {
    const r = parse(body);
    assert.equal(r.ok, false, body);
  }
});

test('a field longer than maxFieldChars is refused, naming the field and the limit; one at the limit is kept', () => {
  const at = renderUpdateRequest({ ...PHONE, vendor: 'V'.repeat(40) });
  assert.equal(parseUpdateRequest(at, 40).ok, true);
  for (const [body, field] of [
    [renderUpdateRequest({ ...PHONE, vendor: 'V'.repeat(41) }), '"vendor"'],
    [SAMPLE.replace('<Model>IP8540</Model>', `<DeviceModel>${'M'.repeat(41)}</DeviceModel>`), '"devicemodel"'],
    [SAMPLE.replace('<Locale>ENU</Locale>', '').replace('<Request>', `<Request Lang="${'x'.repeat(41)}">`), '"lang"'],
    [renderUpdateRequest({ ...PHONE, modules: [{ fileName: 'cpe.nbt', version: '9'.repeat(41), timestamp: '' }] }), "a module's version"],
    ['<Request><Files>cpe.nbt;1.0.0.0;01-01-1601 00:00:00#x.bin;1.0.0.0;' + 't'.repeat(41) + '</Files></Request>', "a module's time stamp"],
  ] as const) {
    const r = parseUpdateRequest(body, 40);
    assert.equal(r.ok, false, field);
    assert.equal((r as { error: string }).error.split(' has ')[0], field);
    assert.match((r as { error: string }).error, /has 41 characters, more than the 40 a field may have \(maxFieldChars\)$/);
  }
});

test('the 58 KB Vendor of the memory attack is refused with the shipped limit', () => {
  const r = parse(renderUpdateRequest({ ...PHONE, vendor: 'v'.repeat(58 * 1024) }));
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /^"vendor" has 59392 characters, more than the 256/);
});

test('too many modules or elements are refused; a full but plausible request is not', () => {
  const modules = (n: number) => Array.from({ length: n }, (_, i) => ({ fileName: `f${i}.bin`, version: '1.0.0.0', timestamp: '01-01-1601 00:00:00' }));
  assert.equal(parse(renderUpdateRequest({ ...PHONE, modules: modules(32) })).ok, true);
  assert.match((parse(renderUpdateRequest({ ...PHONE, modules: modules(33) })) as { error: string }).error, /reports 33 modules, more than the 32/);
  const audit = modules(40).map((m) => `${m.fileName};${m.version};${m.timestamp}`).join('#');
  assert.match((parse(`<Request><Files>${audit}</Files></Request>`) as { error: string }).error, /reports 40 modules/);
  assert.match((parse(`<Request><Files>${'#'.repeat(60_000)}</Files></Request>`) as { error: string }).error, /list of modules has 60000 characters/);
  assert.match((parse(`<Request>${'<x/>'.repeat(5000)}</Request>`) as { error: string }).error, /^more than \d+ elements$/);
});

test('predefined entities and character references are decoded', () => {
  const r = parse('<Request><UserName>a&amp;b&#64;c</UserName></Request>');
  assert.ok(r.ok);
  assert.equal(r.request.userName, 'a&b@c');
});

test('request render/parse round trip (the simulator speaks what the server reads)', () => {
  const body = renderUpdateRequest({
    deviceType: 'UCPhone', macRaw: '001B9E4B5B10', serial: '1108015382', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A',
    locale: 'ENU', userName: '<me>', requestTime: '', modules: [{ fileName: 'cpe.nbt', version: '0.0.0.0', timestamp: '01-01-1601 00:00:00' }],
  });
  const r = parse(body);
  assert.ok(r.ok);
  assert.equal(r.request.userName, '<me>');
  assert.equal(r.request.mac, '001B9E4B5B10');
});

test('response: known elements, never a blank URL, files listed; parses back', () => {
  const xml = renderUpdateResponse({
    currentTime: new Date(2009, 2, 31, 11, 25, 12),
    serverVersion: '3.5.6907.0',
    langList: ['DEU', 'ENU'],
    offer: {
      baseUrl: 'http://pool01.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/1.0.522.101/CPE',
      externalBaseUrl: 'https://ext.contoso.com/DeviceUpdateFiles_Ext/UCPhone/Polycom/CX700/A/ENU/1.0.522.101/CPE',
      files: [{ fileName: 'CPE.nbt', signatureFileName: 'CPE.cat', version: '1.0.522.101', timestamp: '16-12-2008 04:43:58' }],
    },
  });
  assert.match(xml, /^<\?xml version="1.0" \?>\n<Response>/);
  assert.match(xml, /<NumOfFiles>1<\/NumOfFiles>/);
  assert.match(xml, /<CurrentTime>2009-03-31T11:25:12<\/CurrentTime>/);
  assert.match(xml, /<ServerVersion>3\.5\.6907\.0<\/ServerVersion>/);
  assert.match(xml, /<ServiceVersion>3\.5\.6907\.0<\/ServiceVersion>/);
  assert.match(xml, /<LangList>DEU\|ENU<\/LangList>/);
  const back = parseUpdateResponse(xml);
  assert.equal(back.numOfFiles, 1);
  assert.equal(back.files[0]!.signatureFileName, 'CPE.cat');
  assert.match(back.externalBaseUrl, /^https:\/\/ext/);
});

test('response with nothing offered: NumOfFiles 0 and no URL elements', () => {
  const xml = renderUpdateResponse({ currentTime: new Date(), serverVersion: '3.5.6907.0', langList: [] });
  assert.match(xml, /<NumOfFiles>0<\/NumOfFiles>/);
  assert.doesNotMatch(xml, /BaseURL|LangList/);
});

test('routes: case-insensitive, aliases, traversal refused', () => {
  assert.deepEqual(routePhoneRequest('/requestHandler/ucdevice.upx'), { kind: 'update-check', external: false });
  assert.deepEqual(routePhoneRequest('/RequestHandlerExt/UCDevice.upx'), { kind: 'update-check', external: true });
  assert.deepEqual(routePhoneRequest('/UCDeviceUpdates/ucdevice.upx'), { kind: 'update-check', external: false });
  assert.deepEqual(routePhoneRequest('/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt'), { kind: 'file', external: false, path: 'OCInterim/ENU/CPE.nbt' });
  assert.deepEqual(routePhoneRequest('/deviceupdatefiles_ext/UCPhone/A%20B/x.cat'), { kind: 'file', external: true, path: 'UCPhone/A B/x.cat' });
  assert.deepEqual(routePhoneRequest('/UCDeviceUpdates/UCPhone/Polycom/CX700/A/ENU/1.0.0.0/CPE/CPE.nbt').kind, 'file');
  for (const p of [
    '/DeviceUpdateFiles_Int/../ucupdates.db',
    '/DeviceUpdateFiles_Int/UCPhone/%2e%2e/%2e%2e/x',
    '/DeviceUpdateFiles_Int/UCPhone/%252e%252e/x',
    '/DeviceUpdateFiles_Int/UCPhone/..%5c..%5cx',
    '/DeviceUpdateFiles_Int/UCPhone/%00/x',
    '/DeviceUpdateFiles_Int/UCPhone//x',
    '/DeviceUpdateFiles_Int/%E0%A4%A',
  ]) {
    assert.equal(routePhoneRequest(p).kind, 'bad-path', p);
  }
  assert.equal(routePhoneRequest('/favicon.ico').kind, 'none');
});

test('a log upload is named by its query string (our guess); anything else is an update check', () => {
  assert.deepEqual(parseLogUpload('LogType=CELog&FileName=ce.clg&MacAddress=00-21-63-0F-20-7B'), { type: 'CELog', fileName: 'ce.clg', macRaw: '00-21-63-0F-20-7B', serial: '' });
  assert.deepEqual(parseLogUpload('TYPE=Watson&file=a.kdmp&SerialNumber=%20C185H%20'), { type: 'Watson', fileName: 'a.kdmp', macRaw: '', serial: 'C185H' });
  assert.equal(parseLogUpload('type=Watson&LOGTYPE=CELog&logtype=Config')?.type, 'CELog', 'LogType before Type; the first of a name wins');
  assert.equal(parseLogUpload(''), undefined);
  assert.equal(parseLogUpload('foo=bar'), undefined);
  assert.equal(parseLogUpload('LogType='), undefined);
});
