import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desktopMode, desktopServerOptions, isConsoleUrl, windowTitle } from '../../src/main/desktop.js';

test('the desktop app keeps the admin API on loopback', () => {
  assert.deepEqual(desktopServerOptions('/data'), { dataDir: '/data', overrides: { adminHost: '127.0.0.1', adminTls: false } });
});

test('the window shows only the console; other URLs go to the browser', () => {
  assert.equal(isConsoleUrl('http://127.0.0.1:8090/#rules', 'http://127.0.0.1:8090'), true);
  assert.equal(isConsoleUrl('http://127.0.0.1:8091/', 'http://127.0.0.1:8090'), false);
  assert.equal(isConsoleUrl('https://example.com/', 'http://127.0.0.1:8090'), false);
  assert.equal(isConsoleUrl('not a url', 'http://127.0.0.1:8090'), false);
});

test('the title says where phones are served', () => {
  assert.match(windowTitle({ http: 'http://localhost:80', https: 'https://localhost:443' }), /localhost:80 and https/);
});

test('the desktop app embeds the server unless told to connect to a remote one', () => {
  assert.deepEqual(desktopMode(['electron', '.'], {}), { kind: 'embedded' });
  assert.deepEqual(desktopMode(['electron', '.', '--server', 'https://ucu.contoso.com:8090/some/path'], {}), { kind: 'remote', url: 'https://ucu.contoso.com:8090' });
  assert.deepEqual(desktopMode([], { UCUPDATES_SERVER: 'http://10.1.1.90:8090' }), { kind: 'remote', url: 'http://10.1.1.90:8090' });
  assert.throws(() => desktopMode(['--server', 'ucu.contoso.com'], {}), /not a server address/);
  assert.throws(() => desktopMode(['--server', 'ftp://x'], {}), /not an http\(s\) address/);
});
