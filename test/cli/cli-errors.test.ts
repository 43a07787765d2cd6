// Every class of CLI error ends in one sentence that says what happened and what to do: never Node's or 7-Zip's own
// words (ECONNREFUSED, "self-signed certificate", "7-Zip said"), never a stack.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../src/server/compose.js';
import { storePaths } from '../../src/server/app/store.js';
import { corruptCab, truncatedCab } from '../fixtures/cabs.js';
import { startTestServer, tempDir } from '../helpers.js';
import { cli } from './cli-process.js';

const RAW = /ECONN|ENOTFOUND|EPROTO|self[- ]signed certificate\b|7-Zip said|Error:|\n\s+at |SSL routines/;

/** Runs and checks the one-sentence rule; returns the sentence (without "ucupdates: "). */
async function sentence(code: number, args: string[], data: string): Promise<string> {
  const r = await cli(args, { data });
  assert.equal(r.code, code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, /^ucupdates: \S.*[.]\n$/, r.stderr);
  assert.doesNotMatch(r.stderr, RAW);
  return r.stderr.slice('ucupdates: '.length, -1);
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer;
let data: string;
before(async () => {
  tmp = await tempDir('ucu-cli-errors-');
  server = await startTestServer(join(tmp.dir, 'served'));
  data = join(tmp.dir, 'data');
});
after(async () => {
  await server?.close();
  await tmp.remove();
});

describe('CLI errors are sentences', { concurrency: true }, () => {
  it('nothing listens at --server', async () => {
    const s = await sentence(1, ['simulate', '--server', 'http://127.0.0.1:1'], data);
    assert.equal(s, 'Nothing answers at http://127.0.0.1:1 (the connection was refused): check --server, and that ucupdates serves there.');
  });

  it('a self-signed certificate, and HTTPS asked of the HTTP port', async () => {
    const https = new URL(server.urls.https);
    const s = await sentence(1, ['simulate', '--server', `https://127.0.0.1:${https.port}`], data);
    assert.match(s, /^https:\/\/127\.0\.0\.1:\d+ presents a certificate this machine does not trust .*: add --insecure to accept it/);
    const wrong = await sentence(1, ['simulate', '--server', `https://127.0.0.1:${new URL(server.urls.http).port}`], data);
    assert.match(wrong, /does not speak HTTPS \(is it the other port\?\)/);
  });

  it('an update check the server refuses: NTLM on the external path, a plain-text refusal', async () => {
    const ntlm = await sentence(6, ['simulate', '--server', server.urls.http, '--external'], data);
    assert.match(ntlm, /^The server asks phones outside to sign in \(NTLM, setting externalAuth\): .*set externalAuth anonymous/);
    const long = await sentence(1, ['simulate', '--server', server.urls.http, '--user', 'u'.repeat(300)], data);
    assert.equal(long, 'The server refused the check (HTTP 400): Bad request: "username" has 300 characters, more than the 256 a field may have (maxFieldChars).');
  });

  it('serve on a port another program holds, or an address this machine lacks', async () => {
    const taken = new URL(server.urls.http).port;
    const last = async (args: string[]) => {
      const r = await cli(args, { data: join(tmp.dir, `serve-${args.join('-').replace(/\W+/g, '')}`) });
      assert.equal(r.code, 1, r.stderr);
      const line = r.stderr.trim().split('\n').at(-1)!;
      assert.doesNotMatch(line, RAW);
      return line;
    };
    assert.equal(await last(['serve', '--http-port', taken, '--https-port', '0', '--admin-port', '0']), `ucupdates: phone HTTP: cannot listen on port ${taken}: another program uses it; stop it or choose another port.`);
    // With phone workers the server process keeps the phone ports: the same sentence, and no worker left behind.
    assert.equal(await last(['serve', '--phone-workers', '1', '--http-port', taken, '--https-port', '0', '--admin-port', '0']), `ucupdates: phone HTTP: cannot listen on port ${taken}: another program uses it; stop it or choose another port.`);
    assert.match(await last(['serve', '--http-port', '0', '--https-port', '0', '--admin-port', '0', '--admin-host', '192.0.2.77']), /^ucupdates: admin console: cannot listen on port 0 of 192\.0\.2\.77: this machine has no address 192\.0\.2\.77; choose one of its addresses\.$/);
  });

  it('a number of phone workers that is not one', async () => {
    assert.equal(await sentence(2, ['serve', '--phone-workers', 'many'], data), '"many" is not a number of phone workers (0-64).');
  });

  it('a --server that is no URL', async () => {
    const s = await sentence(2, ['simulate', '--server', 'ucupdates contoso'], data);
    assert.match(s, /^"ucupdates contoso" is not a server URL: give one like http:\/\//);
  });

  it("7-Zip's complaints about a truncated or corrupt package", async () => {
    const truncated = await sentence(5, ['import', await truncatedCab(join(tmp.dir, 'cabs-t'))], data);
    assert.match(truncated, /truncated .*download the package again and import the new copy\.$/);
    const corrupt = await sentence(5, ['import', await corruptCab(join(tmp.dir, 'cabs-c'))], data);
    assert.match(corrupt, /corrupt .*download the package again and import the new copy\.$/);
  });

  it('a file that cannot be used, and a data folder that is a file', async () => {
    const folder = join(tmp.dir, 'a-folder.log');
    await mkdir(folder, { recursive: true });
    const s = await sentence(2, ['import-audit', folder], data);
    assert.equal(s, `${folder} is a folder, not a file: name the file itself.`);
    const missing = await sentence(3, ['import-audit', join(tmp.dir, 'nowhere.log')], data);
    assert.equal(missing, `${join(tmp.dir, 'nowhere.log')} does not exist: check the path.`);
    const file = join(tmp.dir, 'not-a-folder');
    await writeFile(file, 'x');
    const d = await sentence(1, ['rules'], join(file, 'data'));
    assert.match(d, /not-a-folder/);
  });

  it('a server.json whose server does not answer', async () => {
    const stale = join(tmp.dir, 'stale');
    await mkdir(stale, { recursive: true });
    // This test's own PID: alive, but no admin API at that address.
    await writeFile(storePaths(stale).runFile, JSON.stringify({ pid: process.pid, adminUrl: 'http://127.0.0.1:1', launchToken: 'x' }));
    const s = await sentence(1, ['signin-link'], stale);
    assert.equal(s, `Nothing answers at http://127.0.0.1:1 (the connection was refused): the server running with this data folder (PID ${process.pid}) does not answer on its admin port; restart it (ucupdates serve).`);
  });
});
