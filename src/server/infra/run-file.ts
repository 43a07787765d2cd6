// The running server's note to local tools: where its admin API is and its per-launch token. Readable by the
// owner only; the token works only from loopback anyway.
import { readFile, writeFile } from 'node:fs/promises';

export interface RunInfo {
  pid: number;
  adminUrl: string;
  launchToken: string;
}

export async function writeRunFile(file: string, info: RunInfo): Promise<void> {
  await writeFile(file, JSON.stringify(info), { mode: 0o600 });
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
