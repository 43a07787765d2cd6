// The README's first session, run from top to bottom as written: its commands are read out of the section's shell
// block (comments dropped), against a real `ucupdates serve` on loopback ports and real gcab-built packages named as
// the README names them. Only the ports are swapped for free ones (8080/8443 may be taken), and the data folder is
// a temp one (UCUPDATES_DATA).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Store } from '../../src/server/app/store.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { buildCab, image, selfExtracting, updateInfoXml } from '../fixtures/cabs.js';
import { tempDir } from '../helpers.js';
import { cli, cliCommand } from '../cli/cli-process.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('\n## A first session, step by step\n');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';

/** The block's commands: comments and comment-only lines dropped; words split as a shell would (quotes). */
function commands(): { words: string[]; background: boolean; line: string }[] {
  return block
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const background = line.endsWith('&');
      const words = [...line.replace(/&$/, '').matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
      return { words, background, line };
    });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

let serve: ChildProcess | undefined;
const fx = await tempDir('ucu-readme-');
after(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
  }
  await fx.remove();
});

test("the README's first session runs as written, every command exiting 0", async () => {
  const steps = commands();
  assert.match(steps[0]?.line ?? '', /^alias ucupdates=/, 'the session starts by naming the command');
  assert.ok(steps.some((s) => s.words[1] === 'reject'), 'the session rejects a version');

  // The packages the README names, in the folder the commands run in.
  const cwd = join(fx.dir, 'work');
  await mkdir(cwd);
  const cab = await buildCab(join(fx.dir, 'cabs'), 'UCUpdates.cab', [updateInfoXml('4.0.7577.4366'), ...image('UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE')]);
  await selfExtracting(cwd, cab, { name: 'UCUpdates.exe' });
  await buildCab(cwd, 'UCUpdates-CU8.cab', [updateInfoXml('4.0.7577.4387'), ...image('UCPhone/Polycom/CX600/A/ENU/4.0.7577.4387/CPE')]);

  const data = join(fx.dir, 'data');
  const [http, https, admin] = [await freePort(), await freePort(), await freePort()];
  // Set-up the README leaves to the defaults: the console's port, which another run may hold.
  const store = new Store(data);
  await updateSettings(store, { adminPort: admin }, 'test');
  await store.close();
  const ported = (w: string) => w.replace(/\b8080\b/g, String(http)).replace(/\b8443\b/g, String(https));
  const env = { UCUPDATES_DATA: data };

  const transcript: string[] = [];
  for (const step of steps.slice(1)) {
    assert.equal(step.words[0], 'ucupdates', `a ucupdates command: ${step.line}`);
    const args = step.words.slice(1).map(ported);
    if (step.background) {
      const [node, argv] = cliCommand(args);
      serve = spawn(node, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      serve.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
      await new Promise<void>((resolve, reject) => {
        serve!.stdout!.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          if (out.includes('  sign in: ')) resolve();
        });
        serve!.once('exit', (code) => reject(new Error(`serve exited ${code} before serving: ${out}${err}`)));
      });
      transcript.push(`$ ${step.line}\n${out}`);
      continue;
    }
    const r = await cli(args, { cwd, env });
    transcript.push(`$ ${step.line}\n${r.stdout}${r.stderr}`);
    assert.equal(r.code, 0, `"${step.line}" exited ${r.code}:\n${transcript.join('\n')}`);
  }

  // What the comments say happened.
  const out = (cmd: RegExp) => transcript.filter((t) => cmd.test(t.split('\n')[0]!)).map((t) => t.split('\n').slice(1).join('\n'));
  const [testPhone, anyPhone] = out(/ simulate /);
  assert.match(testPhone!, /Offered: \S+ 4\.0\.7577\.4366 .*\n[\s\S]*Downloaded .*: HTTP 200/);
  assert.match(anyPhone!, /Offered: \S+ 4\.0\.7577\.4366 /);
  assert.match(out(/ reject /)[0]!, /pending 4\.0\.7577\.4387 is rejected/);
  assert.match(out(/ rollback /)[0]!, /from 4\.0\.7577\.4387 back to 4\.0\.7577\.4366/);
  assert.match(out(/ history/)[0]!, /rollback\s+UCPhone\/Polycom\/CX600\/A\/ENU\/CPE\s+approved 4\.0\.7577\.4387 -> 4\.0\.7577\.4366/);
  assert.match(out(/ signin-link/)[0]!, /^http:\/\/127\.0\.0\.1:\d+\/#signin=/);
});
