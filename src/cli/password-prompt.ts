// The password for `admins add`: typed twice without echo on a terminal; the first line of standard input otherwise
// (scripts: `printf '%s\n' "$PW" | ucupdates admins add alice`).
import { AppError } from '../server/app/app-error.js';

const TRIES = 3;

export async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return firstLine();
  for (let i = 0; i < TRIES; i++) {
    const password = await askHidden('Password (at least 10 characters): ');
    if (password === (await askHidden('The same password again: '))) return password;
    process.stderr.write('The two passwords differ: type them again.\n');
  }
  throw new AppError('invalid_input', `The two passwords differed ${TRIES} times: no account was saved.`);
}

async function firstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** One line from the terminal with echo off (raw mode, before the prompt is shown); Backspace works, Ctrl+C cancels. */
function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (end: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      end();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(text));
        if (ch === '\u0003' || ch === '\u0004') return finish(() => reject(new AppError('invalid_input', 'Cancelled: no account was saved.')));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else if (ch >= ' ') text += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
