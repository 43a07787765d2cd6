// electron-builder's afterPack hook (electron-builder.yml, through after-pack.js): a package whose
// better-sqlite3 addon is not built for its Electron is refused at packaging, not on an admin's desktop at the first
// database open. electron-builder rebuilds the addon for Electron (npmRebuild), but where npm_config_nodedir is set
// node-gyp builds it against Node's headers, for Node's ABI, without a word.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { addonAbi } from '../src/server/infra/db/native-binding.js';
import { electronTarget } from './electron-addon.js';

const ADDON = join('app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/** What is wrong with the packaged app's addon (in appOutDir, for NODE_MODULE_VERSION abi), or undefined. */
export function packagedAddonProblem(appOutDir: string, abi: string): string | undefined {
  const files = readdirSync(appOutDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(ADDON));
  if (files.length === 0) return `The package in ${appOutDir} has no ${ADDON}: better-sqlite3 must stay in asarUnpack (electron-builder.yml).`;
  for (const f of files) {
    const built = addonAbi(readFileSync(join(appOutDir, f)));
    if (built !== abi) {
      return `The packaged better-sqlite3 (${join(appOutDir, f)}) is built for NODE_MODULE_VERSION ${built ?? 'unknown'}, not for Electron's ${abi}: package with npm_config_nodedir empty (README, "Desktop app and packages").`;
    }
  }
  return undefined;
}

/** The hook: throws the sentence, which stops the packaging. */
export default function afterPack(context: { appOutDir: string }): void {
  const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const problem = packagedAddonProblem(context.appOutDir, electronTarget(electronDir).abi);
  if (problem) throw new Error(problem);
}
