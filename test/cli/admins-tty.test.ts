// `ucupdates admins add` on a real terminal (a pseudo-terminal, through python3's pty module): the password is asked
// twice and never shown; two that differ are asked again, then refused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Store } from '../../src/server/app/store.js';
import { tempDir } from '../helpers.js';
import { cliCommand, ROOT } from './cli-process.js';

const run = promisify(execFile);
const PTY = join(ROOT, 'test', 'cli', 'pty-session.py');
let tmp: Awaited<ReturnType<typeof tempDir>>;
before(async () => (tmp = await tempDir('ucu-tty-')));
after(() => tmp.remove());

/** Runs `ucupdates <args>` on a terminal, answering each prompt in turn. */
async function onTerminal(args: string[], dialogue: [string, string][]): Promise<{ code: number; out: string }> {
  const [node, argv] = cliCommand(args);
  const { stdout } = await run('python3', [PTY, JSON.stringify([node, ...argv]), JSON.stringify(dialogue)], { cwd: ROOT, env: { ...process.env, UCUPDATES_DATA: '' } });
  return JSON.parse(stdout) as { code: number; out: string };
}

const admins = async (data: string) => {
  const s = new Store(data);
  try {
    return (await s.admins.list()).map((a) => a.username);
  } finally {
    await s.close();
  }
};

test('asks twice without echo, and saves the account when both match', async () => {
  const data = join(tmp.dir, 'ok');
  const r = await onTerminal(['--data', data, 'admins', 'add', 'alice'], [
    ['Password (at least 10 characters): ', 'correct horse battery\r'],
    ['The same password again: ', 'correct horse battery\r'],
  ]);
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /correct|horse|\*{5}/, 'the password is not shown');
  assert.match(r.out, /Account alice \(admin\) saved\./);
  assert.deepEqual(await admins(data), ['alice']);
});

test('two passwords that differ: a sentence, asked again; three times and nothing is saved (exit 2)', async () => {
  const data = join(tmp.dir, 'differ');
  const twice = (a: string, b: string): [string, string][] => [
    ['Password (at least 10 characters): ', `${a}\r`],
    ['The same password again: ', `${b}\r`],
  ];
  const fixed = await onTerminal(['--data', data, 'admins', 'add', 'bob'], [...twice('first long password', 'frist long password'), ...twice('second long password', 'second long password')]);
  assert.equal(fixed.code, 0, fixed.out);
  assert.match(fixed.out, /The two passwords differ: type them again\./);
  assert.deepEqual(await admins(data), ['bob']);

  const refused = await onTerminal(['--data', data, 'admins', 'add', 'carol'], [1, 2, 3].flatMap((n) => twice(`long password ${n}`, `other password ${n}`)));
  assert.equal(refused.code, 2, refused.out);
  assert.match(refused.out, /ucupdates: The two passwords differed 3 times: no account was saved\./);
  assert.doesNotMatch(refused.out, /long password|other password/);
  assert.deepEqual(await admins(data), ['bob']);
});
