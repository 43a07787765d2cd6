// The fleet as a virtualised table: only the rows in view (and a few around) are in the page, whatever the total;
// their pages are loaded from the server as they scroll into view. A plain <table> like DataTable's, with
// aria-rowcount / aria-rowindex so that screen readers know where they are in the whole list. Sorting is the
// server's (by the columns it has an index for).
import { memo, useEffect, useRef, type ReactNode } from 'react';
import { Badge } from '@fluentui/react-components';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DeviceDto, DeviceSort } from '../../../shared/inventory-api.js';
import { formatTime } from '../../format.js';
import { formatMac, phoneName, STATE_COLOR, STATE_LABEL } from './device-words.js';
import type { DeviceRows, DeviceSorting } from './use-device-pages.js';

const ROW_HEIGHT = 33;

interface Column {
  header: string;
  sort?: DeviceSort;
  cell: (d: DeviceDto) => ReactNode;
}

const COLUMNS: Column[] = [
  { header: 'MAC address', sort: 'mac', cell: (d) => (d.mac ? formatMac(d.mac) : '—') },
  { header: 'Serial number', sort: 'serial', cell: (d) => d.serial ?? '—' },
  { header: 'User', sort: 'user', cell: (d) => d.userName || '—' },
  { header: 'Model', sort: 'model', cell: (d) => `${d.vendor} ${d.model} ${d.revision}` },
  { header: 'Locale', sort: 'locale', cell: (d) => d.locale },
  { header: 'Version', sort: 'version', cell: (d) => d.version },
  {
    header: 'State',
    cell: (d) => (
      <Badge size="small" appearance="tint" color={STATE_COLOR[d.state]}>
        {STATE_LABEL[d.state]}
      </Badge>
    ),
  },
  { header: 'Offered', cell: (d) => d.offeredVersion ?? '—' },
  { header: 'Last seen', sort: 'lastSeen', cell: (d) => formatTime(d.lastSeen) },
];

/** Times newest first, the rest A to Z, as the server does by default. */
const firstOrder = (sort: DeviceSort): 'asc' | 'desc' => (sort === 'lastSeen' || sort === 'firstSeen' ? 'desc' : 'asc');

export interface DeviceTableProps {
  rows: DeviceRows;
  total: number;
  sorting: DeviceSorting;
  onSort: (sorting: DeviceSorting) => void;
  onOpen: (device: DeviceDto) => void;
  /** Shown in the body when there are no rows. */
  empty: ReactNode;
}

export function DeviceTable({ rows, total, sorting, onSort, onOpen, empty }: DeviceTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  // Every render: a new query's first page may leave rows in view whose pages are not loaded yet.
  useEffect(() => {
    if (total > 0) rows.ensure(first, last);
  });

  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const sort = (column: DeviceSort) =>
    onSort(sorting.sort === column ? { sort: column, order: sorting.order === 'asc' ? 'desc' : 'asc' } : { sort: column, order: firstOrder(column) });

  return (
    <div className="table-wrap device-scroll" ref={scroller}>
      <table className="data-grid device-grid" aria-label="Devices" aria-rowcount={total + 1}>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => {
              const sorted = c.sort && sorting.sort === c.sort ? sorting.order : undefined;
              return (
                <th key={c.header} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                  {c.sort ? (
                    <button type="button" className="sort" onClick={() => sort(c.sort!)}>
                      {c.header}
                      <span aria-hidden="true" className="sort-mark">
                        {sorted === 'asc' ? '↑' : sorted === 'desc' ? '↓' : ''}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {top > 0 && <Spacer height={top} />}
          {items.map((item) => (
            <DeviceRow key={item.index} index={item.index} device={rows.rowAt(item.index)} onOpen={onOpen} />
          ))}
          {bottom > 0 && <Spacer height={bottom} />}
          {total === 0 && (
            <tr>
              <td className="empty" colSpan={COLUMNS.length}>
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function Spacer({ height }: { height: number }) {
  return (
    <tr aria-hidden="true" className="spacer">
      <td colSpan={COLUMNS.length} style={{ height }} />
    </tr>
  );
}

interface DeviceRowProps {
  index: number;
  device: DeviceDto | undefined;
  onOpen: (device: DeviceDto) => void;
}

/** A row opens the phone's page: by a click anywhere on it, or its first cell's button (keyboard). */
const DeviceRow = memo(function DeviceRow({ index, device, onOpen }: DeviceRowProps) {
  if (!device) {
    return (
      <tr aria-rowindex={index + 2} className="loading-row">
        <td colSpan={COLUMNS.length} className="muted">
          Loading…
        </td>
      </tr>
    );
  }
  return (
    <tr aria-rowindex={index + 2} className="clickable" onClick={() => onOpen(device)}>
      {COLUMNS.map((c, i) => (
        <td key={c.header}>
          {i === 0 ? (
            <button type="button" className="row-link" data-device={device.id} aria-label={`Open ${phoneName(device)}`} onClick={(e) => (e.stopPropagation(), onOpen(device))}>
              {c.cell(device)}
            </button>
          ) : (
            c.cell(device)
          )}
        </td>
      ))}
    </tr>
  );
});
