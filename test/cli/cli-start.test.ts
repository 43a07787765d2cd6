// The CLI loads only what a command needs: `--version` and `--help` start without the store, the server or the
// settings' schema, and a command on the embedded store without PostgreSQL's driver or the web server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliCommand, ROOT, runProcess } from './cli-process.js';

const TRACE = pathToFileURL(join(ROOT, 'test', 'cli', 'module-trace.mjs')).href;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Runs `ucupdates <args>` (through runCli, or `entry`: the installed entry point src/cli/index.ts); what it printed
 * and every module it loaded (packages by name, our files by path).
 */
async function traced(args: string[], entry?: string): Promise<{ code: number | null; stdout: string; stderr: string; loaded: Set<string> }> {
  const [node, argv] = entry ? [process.execPath, ['--import', 'tsx', entry, ...args]] : cliCommand(args);
  const { code, stdout, stderr } = await runProcess(node, ['--import', TRACE, ...argv]);
  const loaded = new Set<string>();
  for (const m of stderr.matchAll(/^module: (\S+)$/gm)) {
    const url = m[1]!;
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (pkg) loaded.add(pkg[1]!);
    else if (url.startsWith('file:')) loaded.add(url.slice(url.indexOf('/src/') + 1));
  }
  return { code, stdout, stderr: stderr.replace(/^module: .*\n/gm, ''), loaded };
}

const HEAVY = ['better-sqlite3', 'pg', 'express', 'pino', 'saxes', 'selfsigned', 'zod', 'src/server/app/store.ts', 'src/server/compose.ts'];

describe('CLI start-up', () => {
  it('--version prints the version having loaded neither a database engine, the server nor zod', async () => {
    const r = await traced(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${VERSION}\n`);
    assert.ok(r.loaded.has('commander'), 'the trace sees what the CLI loads');
    assert.deepEqual(HEAVY.filter((m) => r.loaded.has(m)), []);
  });

  it('the installed entry answers --version before loading commander and the commands', async () => {
    const r = await traced(['--version'], 'src/cli/index.ts');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${VERSION}\n`);
    assert.ok(r.loaded.has('src/server/version.ts'), 'the trace sees what the CLI loads');
    assert.deepEqual([...HEAVY, 'commander', 'src/cli/main.ts'].filter((m) => r.loaded.has(m)), []);
  });

  it('--help lists every command without loading them', async () => {
    const r = await traced(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of ['serve', 'simulate', 'import', 'rules', 'approve', 'purge', 'history', 'test-devices', 'settings', 'admins', 'explain', 'preflight', 'decode', 'import-audit', 'pool']) {
      assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'), c);
    }
    assert.deepEqual(HEAVY.filter((m) => r.loaded.has(m)), []);
  });

  it('settings get --help names every setting (the schema is loaded for the settings command)', async () => {
    const r = await traced(['settings', 'get', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.replace(/\s+/g, ' '), /Arguments: key +one of: internalUrl, externalUrl, httpPort, httpsPort, adminHost, .*adminAllowedHosts Options:/);
  });

  it('rules on the embedded store loads SQLite, not PostgreSQL\'s driver, the web server or the phone dialect', async () => {
    const data = mkdtempSync(join(tmpdir(), 'ucupdates-cli-start-'));
    try {
      const r = await traced(['--data', data, 'rules']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /No rules yet/);
      assert.ok(r.loaded.has('better-sqlite3'));
      assert.deepEqual(['pg', 'express', 'pino', 'saxes', 'selfsigned', 'src/server/compose.ts'].filter((m) => r.loaded.has(m)), []);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
