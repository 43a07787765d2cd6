// The fleet as a virtualised table: only the rows in view (and a few around) are in the page, whatever the total;
// their pages are loaded from the server as they scroll into view. A plain <table> like DataTable's, with
// aria-rowcount / aria-rowindex so that screen readers know where they are in the whole list. Sorting is the
// server's (by the columns it has an index for). A row's context menu (right-click, Shift+F10, the menu key) offers
// what DevicesTab gives it (Open, Why, Make test device).
import { memo, useEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { Badge } from '@fluentui/react-components';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DeviceDto, DeviceSort } from '../../../shared/inventory-api.js';
import { menuPointOf, RowMenu, type RowMenuAt, type RowMenuItem } from '../../components/RowMenu.js';
import { formatTime } from '../../format.js';
import { formatMac, type MacNotation } from '../../../shared/mac.js';
import { useMacNotation } from '../../mac-notation.js';
import { phoneName, STATE_COLOR, STATE_LABEL } from './device-words.js';
import type { DeviceRows, DeviceSorting } from './use-device-pages.js';

const ROW_HEIGHT = 33;

interface Column {
  header: string;
  sort?: DeviceSort;
  /** `notation`: how the admin writes MAC addresses. */
  cell: (d: DeviceDto, notation: MacNotation) => ReactNode;
}

const COLUMNS: Column[] = [
  { header: 'MAC address', sort: 'mac', cell: (d, notation) => (d.mac ? formatMac(d.mac, notation) : '—') },
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
  /** The items of a row's context menu. */
  rowMenu: (device: DeviceDto) => RowMenuItem[];
}

export function DeviceTable({ rows, total, sorting, onSort, onOpen, empty, rowMenu }: DeviceTableProps) {
  const { notation } = useMacNotation();
  const [menu, setMenu] = useState<RowMenuAt>();
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

  const openMenu = (tr: HTMLElement, at: { x: number; y: number }) => {
    const device = rows.rowAt(Number(tr.dataset.index));
    if (device) setMenu({ ...at, items: rowMenu(device), label: `Actions on ${phoneName(device, notation)}` });
  };
  const rowOf = (target: EventTarget | null) => (target instanceof Element ? target.closest<HTMLElement>('tr[data-index]') : null);
  const onContextMenu = (e: MouseEvent) => {
    const tr = rowOf(e.target);
    if (!tr) return;
    e.preventDefault();
    // A menu asked for from the keyboard comes as a contextmenu event too, at no pointer position.
    openMenu(tr, e.clientX || e.clientY ? { x: e.clientX, y: e.clientY } : menuPointOf(tr));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const tr = rowOf(document.activeElement);
    if (!tr || !(e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10'))) return;
    e.preventDefault();
    openMenu(tr, menuPointOf(tr));
  };

  return (
    <div className="table-wrap device-scroll" ref={scroller} onKeyDown={onKeyDown} onContextMenu={onContextMenu}>
      {menu && <RowMenu at={menu} onClose={() => setMenu(undefined)} />}
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
            <DeviceRow key={item.index} index={item.index} device={rows.rowAt(item.index)} onOpen={onOpen} notation={notation} />
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
  notation: MacNotation;
}

/** A row opens the phone's page: by a click anywhere on it, or its first cell's button (keyboard). */
const DeviceRow = memo(function DeviceRow({ index, device, onOpen, notation }: DeviceRowProps) {
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
    <tr aria-rowindex={index + 2} data-index={index} className="clickable" onClick={() => onOpen(device)}>
      {COLUMNS.map((c, i) => (
        <td key={c.header}>
          {i === 0 ? (
            <button type="button" className="row-link" data-device={device.id} aria-label={`Open ${phoneName(device, notation)}`} onClick={(e) => (e.stopPropagation(), onOpen(device))}>
              {c.cell(device, notation)}
            </button>
          ) : (
            c.cell(device, notation)
          )}
        </td>
      ))}
    </tr>
  );
});
