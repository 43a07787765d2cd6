// A fault on our side answers 500 and is logged; the service keeps answering. Update checks are answered from the
// catalog's last snapshot (app/catalog.ts), so the store's loss reaches phones through what still reads it: a log upload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { httpRequest, phoneRequestBody, DEFAULT_PHONE } from '../../src/cli/phone-simulator.js';
import type { SqliteEngine } from '../../src/server/infra/db/engine.js';
import { startTestServer, tempDir } from '../helpers.js';

test('a store that can no longer be read gives phones a 500, is logged, and the server stays up', async () => {
  const t = await tempDir();
  const logged: string[] = [];
  const log = pino({ level: 'error' }, new Writable({ write: (c, _e, cb) => (logged.push(String(c)), cb()) }));
  const server = await startTestServer(t.dir, { log });
  try {
    const check = () => httpRequest(`${server.urls.http}/RequestHandler/ucdevice.upx`, { method: 'POST', body: phoneRequestBody(DEFAULT_PHONE) });
    assert.equal((await check()).status, 200);
    (server.store.engine as SqliteEngine).db.close(); // the disk went away, say
    assert.equal((await check()).status, 200, 'an update check is answered from the last snapshot');
    const logUpload = `${server.urls.http}/RequestHandler/ucdevice.upx?LogType=CELog&FileName=ce.clg&MacAddress=${DEFAULT_PHONE.mac}`;
    const failed = await httpRequest(logUpload, { method: 'POST', body: 'log', headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(failed.status, 500);
    assert.equal(failed.body.toString(), 'Server error.');
    assert.match(logged.join(''), /phone request failed/);
    assert.equal((await httpRequest(`${server.urls.http}/nothing-here`)).status, 404, 'still answering');
  } finally {
    await server.close().catch(() => undefined);
    await t.remove();
  }
});
