// Where the store lives: --data, else UCUPDATES_DATA, else the per-user application data folder.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (flag) return resolve(flag);
  if (env.UCUPDATES_DATA) return resolve(env.UCUPDATES_DATA);
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'ucupdates');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'ucupdates');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'ucupdates');
}
