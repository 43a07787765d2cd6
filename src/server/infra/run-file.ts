// The running server's note to local tools: where its admin API is and its per-launch token. Readable by the
// owner only; the token works only from loopback anyway.
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeSmallFile } from './small-file.js';

export interface RunInfo {
  pid: number;
  adminUrl: string;
  launchToken: string;
}

export function writeRunFile(file: string, info: RunInfo): void {
  writeSmallFile(file, JSON.stringify(info), 0o600);
}

/** Removes the run file if it is still the one `info` wrote: a server never deletes another's. */
export function removeRunFile(file: string, info: RunInfo): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as RunInfo).launchToken !== info.launchToken) return;
  } catch {
    return; // gone, or not ours to judge
  }
  rmSync(file, { force: true });
}

/** The running server's info, or undefined when none is running with this data folder. */
export async function readRunFile(file: string): Promise<RunInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as RunInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}
