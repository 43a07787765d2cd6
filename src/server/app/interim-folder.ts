// Where the interim image starts in a folder an admin copied from an old OCS server, and where its files go in the
// store: the OCInterim folder itself, one of its locale folders, or a folder that holds OCInterim (DeviceUpdateFiles_Int).
import { readdir, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from './app-error.js';

export interface InterimFolder {
  /** The folder walked (symbolic links resolved). */
  base: string;
  /** The store path of `base`: a file at <base>/<p> is stored as <prefix><p>. */
  prefix: string;
}

const isOcInterim = (name: string) => name.toLowerCase() === 'ocinterim';

export async function locateInterimFolder(path: string): Promise<InterimFolder> {
  const unreadable = () => {
    throw new AppError('invalid_input', `The folder "${path}" could not be read: check that this account may read it.`);
  };
  const real = await realpath(path).catch(unreadable);
  const name = basename(real);
  if (isOcInterim(name)) return { base: real, prefix: 'OCInterim/' };
  const children = await readdir(real, { withFileTypes: true }).catch(unreadable);
  const oc = children.find((c) => isOcInterim(c.name));
  if (oc?.isDirectory()) return { base: join(real, oc.name), prefix: 'OCInterim/' };
  if (oc) throw new AppError('invalid_input', `"${join(path, oc.name)}" is not a folder: the interim image is a folder OCInterim/<Locale> holding CPE.nbt and CPE.cat.`);
  // A locale folder: its name is judged with the package layout's other locale folders.
  if (children.some((c) => c.name.toLowerCase() === 'cpe.nbt')) return { base: real, prefix: `OCInterim/${name}/` };
  throw new AppError(
    'invalid_input',
    `"${name}" is neither the OCInterim folder, one of its locale folders (such as OCInterim/ENU, holding CPE.nbt and CPE.cat), nor a folder holding OCInterim (such as DeviceUpdateFiles_Int).`,
  );
}
