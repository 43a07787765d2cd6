// electron-builder's afterPack hook (electron-builder.yml): the check is packaged-addon.ts, loaded through tsx.
import { tsImport } from 'tsx/esm/api';

export default (await tsImport('./packaged-addon.ts', import.meta.url)).default;
