// The columns of the package list: what was imported, how big, when and by whom, and its SHA-256.
import { createColumnHelper } from '@tanstack/react-table';
import type { PackageDto } from '../../../shared/admin-api.js';
import { formatBytes, formatTime, formatVersion } from '../../format.js';

const KIND_WORDS: Record<PackageDto['kind'], string> = {
  cab: 'Cabinet (.cab)',
  exe: 'Self-extracting (.exe)',
  interim: 'Interim image',
  tree: 'Folder of a Lync/OCS server',
};

const kindWords = (kind: PackageDto['kind']): string => KIND_WORDS[kind] ?? kind;

const col = createColumnHelper<PackageDto>();

export const packageColumns = [
  col.accessor('fileName', { header: 'File name' }),
  col.accessor('packageVersion', { header: 'Package version', cell: (c) => formatVersion(c.getValue()), meta: { filterText: formatVersion } }),
  col.accessor('kind', { header: 'Kind', cell: (c) => kindWords(c.getValue()), meta: { filterText: kindWords } }),
  col.accessor('size', { header: 'Size', cell: (c) => formatBytes(c.getValue()), meta: { filterText: formatBytes } }),
  col.accessor('fileCount', { header: 'Files' }),
  col.accessor('importedAt', { header: 'Imported', cell: (c) => formatTime(c.getValue()), meta: { filterText: formatTime } }),
  col.accessor('importedBy', { header: 'By' }),
  col.accessor('sha256', {
    header: 'SHA-256',
    enableSorting: false,
    cell: (c) => (
      <span className="mono" title={c.getValue()}>
        {c.getValue().slice(0, 12)}…
      </span>
    ),
  }),
];
