// POST /api/audit-logs on a real server: an admin's upload fills the inventory; viewers may not; other files are 400.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import type { RunningServer } from '../../src/server/compose.js';
import { AUDIT_HEADER } from '../../src/server/domain/audit-format.js';
import type { ErrorBody } from '../../src/shared/errors.js';
import type { AuditImportDto, DeviceListDto } from '../../src/shared/inventory-api.js';
import { SEED_LINES } from '../fixtures/audit-lines.js';
import { startTestServer, tempDir } from '../helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
const sessions: Record<string, { cookie: string; csrf: string }> = {};

before(async () => {
  tmp = await tempDir();
  server = await startTestServer(join(tmp.dir, 'data'));
  for (const [username, role] of [['alice', 'admin'], ['vera', 'viewer']] as const) {
    await setAdmin(server.store, username, `${username}-password-1`, role, 'test');
    const r = await fetch(`${server.urls.admin}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: `${username}-password-1` }),
    });
    sessions[username] = { cookie: /^([^;]+)/.exec(r.headers.get('set-cookie')!)![1]!, csrf: ((await r.json()) as { csrf: string }).csrf };
  }
});
after(async () => {
  await server.close();
  await tmp.remove();
});

async function upload<T>(who: string, name: string, body: string): Promise<{ status: number; body: T }> {
  const { cookie, csrf } = sessions[who]!;
  const res = await fetch(`${server.urls.admin}/api/audit-logs?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/octet-stream' },
    body,
  });
  return { status: res.status, body: (await res.json()) as T };
}

const LOG = [AUDIT_HEADER, SEED_LINES.nothing, SEED_LINES.interim, SEED_LINES.final, SEED_LINES.german, 'garbage'].join('\r\n');

test('an admin uploads an audit log: the phones in it join the inventory, the upload is not kept', async () => {
  const r = await upload<AuditImportDto>('alice', 'RequestHandlerAuditLog_ocs_06032009.log', LOG);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, {
    fileName: 'RequestHandlerAuditLog_ocs_06032009.log',
    lines: 6,
    imported: 4,
    skipped: 1,
    errors: [{ line: 6, message: 'expected 13 fields, found 1' }],
    newDevices: 2,
  });
  const list = await fetch(`${server.urls.admin}/api/devices?sort=mac&order=asc`, { headers: { cookie: sessions.alice!.cookie } });
  assert.deepEqual(((await list.json()) as DeviceListDto).devices.map((d) => [d.mac, d.offeredVersion]), [
    ['001B9E4B5B10', '1.0.522.103'],
    ['0021630F207B', '3.5.6907.0'],
  ]);
  assert.deepEqual(await readdir(server.store.paths.stagingDir), []);
  const again = await upload<AuditImportDto>('alice', 'RequestHandlerAuditLog_ocs_06032009.log', LOG);
  assert.deepEqual([again.body.imported, again.body.newDevices], [0, 0]);
});

test('a viewer may not import; a file that is not an audit log, or no name, is refused with invalid_input', async () => {
  const viewer = await upload<ErrorBody>('vera', 'RequestHandlerAuditLog_ocs_06032009.log', LOG);
  assert.deepEqual([viewer.status, viewer.body.error.code], [403, 'forbidden']);
  const notLog = await upload<ErrorBody>('alice', 'UCUpdates.cab', 'MSCF\0\0\0\0 not an audit log');
  assert.deepEqual([notLog.status, notLog.body.error.code], [400, 'invalid_input']);
  assert.match(notLog.body.error.message, /^UCUpdates\.cab is not a Lync\/OCS request audit log/);
  const empty = await upload<ErrorBody>('alice', 'RequestHandlerAuditLog_ocs_06032009.log', '');
  assert.deepEqual([empty.status, empty.body.error.message], [400, 'The uploaded file is empty.']);
  const { cookie, csrf } = sessions.alice!;
  const unnamed = await fetch(`${server.urls.admin}/api/audit-logs`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf }, body: LOG });
  assert.equal(unnamed.status, 400);
  assert.deepEqual(await readdir(server.store.paths.stagingDir), []);
});
