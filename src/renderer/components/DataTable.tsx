// The one table of the console: @tanstack/react-table v8 is the model (filter, sorting, column visibility and
// widths, selection); a filter box, a Columns menu, sortable and resizable columns (shown columns and widths
// remembered per table) and, optionally, row selection as in the MMC and Explorer (click, Ctrl+click, Shift+click,
// Ctrl+A, Esc, checkboxes) and a context menu on rows. Features configure columns, data and the menu's items.
// The markup is a plain <table> styled with Fluent's tokens, not Fluent's Table components: with 3,000 rows those
// took 4 to 6 times as long to render, sort and filter (about 10 s to open a tab).
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactElement } from 'react';
import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type Cell,
  type ColumnDef,
  type FilterFn,
  type OnChangeFn,
  type Row,
  type RowData,
  type RowSelectionState,
  type SortingState,
} from '@tanstack/react-table';
import { ColumnResizer, RESIZE_STEP, resizedWidth } from './ColumnResizer.js';
import { ColumnsMenu } from './ColumnsMenu.js';
import { menuPointOf, RowMenu, type RowMenuAt, type RowMenuItem } from './RowMenu.js';
import { TableFilter } from './TableFilter.js';
import { useRowSelection } from './use-row-selection.js';
import { useColumnSizing, useColumnVisibility } from './use-table-memory.js';

declare module '@tanstack/react-table' {
  // (A merged declaration repeats both type parameters, used or not.)
  interface ColumnMeta<TData extends RowData, TValue> {
    /** The words the cell shows when they differ from its value (a formatted time): what the filter box searches. */
    filterText?: (value: TValue) => string;
  }
}

export interface RowSelection<T> {
  selected: RowSelectionState;
  onChange: OnChangeFn<RowSelectionState>;
  /** Rows that cannot be selected show a disabled checkbox. */
  canSelect?: (row: T) => boolean;
  /** Names the row for the checkbox's label ("Select <label>"). */
  rowLabel: (row: T) => string;
}

export interface DataTableProps<T> {
  /** Names the table in the page and in localStorage, where its shown columns are remembered. */
  id: string;
  /** The table's accessible name. */
  label: string;
  /** What a row is, in the singular, for the count above the table ("12 of 340 rules"). */
  noun: string;
  data: T[];
  // Columns of different value types in one list: the documented v8 idiom.
  columns: ColumnDef<T, any>[];
  getRowId: (row: T) => string;
  empty: string;
  selection?: RowSelection<T>;
  /** The context menu's items for the rows it acts on (the selection, or the row right-clicked). */
  rowMenu?: (rows: T[]) => RowMenuItem[];
}

/** The filter as the table's global filter state: also keyed by the shown columns, so hiding one filters again. */
interface GlobalFilter {
  text: string;
  shown: unknown;
}

export function DataTable<T>({ id, label, noun, data, columns, getRowId, empty, selection, rowMenu }: DataTableProps<T>) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const [filter, setFilter] = useState('');
  const [columnVisibility, setColumnVisibility] = useColumnVisibility(id);
  const [columnSizing, setColumnSizing] = useColumnSizing(id);
  const [menu, setMenu] = useState<RowMenuAt>();
  const text = filter.trim().toLowerCase();
  const globalFilter = useMemo<GlobalFilter | undefined>(
    () => (text ? { text, shown: columnVisibility } : undefined),
    [text, columnVisibility],
  );

  const table = useReactTable({
    data,
    columns,
    getRowId,
    state: { sorting, globalFilter, columnVisibility, columnSizing, rowSelection: selection?.selected ?? {} },
    onSortingChange: setSorting,
    onColumnVisibilityChange: setColumnVisibility,
    onColumnSizingChange: setColumnSizing,
    globalFilterFn: matchesFilter as FilterFn<T>,
    // Every shown column with a value; hidden ones are not searched.
    getColumnCanGlobalFilter: (column) => column.getIsVisible(),
    enableRowSelection: selection ? (row) => selection.canSelect?.(row.original) ?? true : false,
    onRowSelectionChange: selection?.onChange,
    getCoreRowModel: getCoreRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });

  // Rows the filter hides are no longer selected: an action applies only to rows the admin can see.
  const filteredRows = table.getFilteredRowModel().rows;
  const selected = selection?.selected;
  const onSelectionChange = selection?.onChange;
  useEffect(() => {
    if (!selected || !onSelectionChange) return;
    const shown = new Set(filteredRows.map((r) => r.id));
    const hidden = Object.keys(selected).filter((rowId) => selected[rowId] && !shown.has(rowId));
    if (hidden.length === 0) return;
    onSelectionChange((old) => {
      const next = { ...old };
      for (const rowId of hidden) delete next[rowId];
      return next;
    });
  }, [filteredRows, selected, onSelectionChange]);

  const rows = table.getRowModel().rows;
  const pick = useRowSelection(table, !!selection);

  /** Opens the context menu for a row: a row outside the selection becomes the selection first, as in Explorer. */
  const openMenu = (rowId: string, at: { x: number; y: number }) => {
    if (!rowMenu) return;
    const row = table.getRow(rowId);
    let acting = [row];
    if (selection) {
      if (row.getIsSelected()) acting = table.getSelectedRowModel().rows;
      else if (row.getCanSelect()) pick.only(row);
    }
    const items = rowMenu(acting.map((r) => r.original));
    const about = selection?.rowLabel(row.original) ?? label;
    setMenu({ ...at, items, label: acting.length > 1 ? `Actions on ${acting.length} rows` : `Actions on ${about}` });
  };

  const rowOf = (target: EventTarget | null): HTMLElement | null =>
    target instanceof Element ? target.closest<HTMLElement>('tr[data-row]') : null;

  const onRowClick = (e: MouseEvent) => {
    const tr = rowOf(e.target);
    // The row's own controls (checkbox, buttons, links) do what they say.
    if (!tr || (e.target as Element).closest('input, button, a, label')) return;
    pick.click(table.getRow(tr.dataset.row!), { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey });
  };

  const onContextMenu = (e: MouseEvent) => {
    const tr = rowOf(e.target);
    if (!tr || !rowMenu) return;
    e.preventDefault();
    tr.focus();
    // A menu asked for from the keyboard comes as a contextmenu event too, at no pointer position.
    openMenu(tr.dataset.row!, e.clientX || e.clientY ? { x: e.clientX, y: e.clientY } : menuPointOf(tr));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const tr = rowOf(document.activeElement);
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a' && selection) {
      e.preventDefault(); // the table's rows, not the page's text
      pick.all();
    } else if (e.key === 'Escape' && selection && Object.values(selection.selected).some(Boolean)) {
      e.preventDefault();
      pick.none();
    } else if ((e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) && rowMenu) {
      e.preventDefault();
      const target = tr ?? rowOf(document.querySelector(`#${CSS.escape(id)}-grid tr.selected`));
      if (target) openMenu(target.dataset.row!, menuPointOf(target));
    } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && tr) {
      e.preventDefault();
      const next = (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
      if (next?.dataset.row) {
        next.focus();
        if (e.shiftKey && selection) pick.click(table.getRow(next.dataset.row), { toggle: false, range: true });
      }
    } else if (e.key === ' ' && tr && document.activeElement === tr && selection) {
      e.preventDefault();
      pick.click(table.getRow(tr.dataset.row!), { toggle: true, range: false });
    }
  };

  /** Alt+Left/Right on a column's header makes it narrower or wider: the keyboard's way to drag its edge. */
  const resizeByKey = (e: KeyboardEvent<HTMLTableCellElement>, columnId: string) => {
    if (!e.altKey || (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight')) return;
    e.preventDefault();
    const width = resizedWidth(e.currentTarget.getBoundingClientRect().width + (e.key === 'ArrowRight' ? RESIZE_STEP : -RESIZE_STEP));
    setColumnSizing((old) => ({ ...old, [columnId]: width }));
  };

  return (
    <div className="data-table">
      <div className="table-tools">
        <TableFilter
          id={`${id}-filter`}
          label={label}
          value={filter}
          onChange={setFilter}
          shown={filteredRows.length}
          total={data.length}
          noun={noun}
        />
        <ColumnsMenu table={table} label={label} />
      </div>
      {/* Keys act on the table that has the focus: Ctrl+A there selects its rows, elsewhere the page's text. */}
      <div className="table-wrap" onKeyDown={onKeyDown}>
        <table id={`${id}-grid`} className={selection ? 'data-grid selectable' : 'data-grid'} aria-label={label}>
          {/* Widths the admin set by dragging a column's edge; the other columns size to their content. */}
          <colgroup>
            {selection && <col />}
            {table.getVisibleLeafColumns().map((c) => (
              <col key={c.id} style={columnSizing[c.id] ? { width: columnSizing[c.id] } : undefined} />
            ))}
          </colgroup>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {/* "All" is every row the filter leaves (there are no pages): the "page" variants select only those. */}
                {selection && (
                  <th scope="col" className="select-cell">
                    <SelectBox
                      label="Select all"
                      checked={table.getIsAllPageRowsSelected()}
                      indeterminate={table.getIsSomePageRowsSelected()}
                      disabled={!rows.some((r) => r.getCanSelect())}
                      onChange={table.getToggleAllPageRowsSelectedHandler()}
                    />
                  </th>
                )}
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const content = flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      onKeyDown={header.column.getCanResize() ? (e) => resizeByKey(e, header.column.id) : undefined}
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                      {header.column.getCanResize() && (
                        <ColumnResizer
                          onResize={(width) => setColumnSizing((old) => ({ ...old, [header.column.id]: width }))}
                        />
                      )}
                      {header.column.getCanSort() ? (
                        <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                          {content}
                          <span aria-hidden="true" className="sort-mark">
                            {sorted === 'asc' ? '↑' : sorted === 'desc' ? '↓' : ''}
                          </span>
                        </button>
                      ) : (
                        content
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody onClick={onRowClick} onMouseDown={(e) => e.shiftKey && e.preventDefault() /* no text selection on Shift+click */} onContextMenu={onContextMenu}>
            {rows.map((row) => (
              <DataRow
                key={row.id}
                row={row}
                cells={row.getVisibleCells()}
                selected={row.getIsSelected()}
                selectLabel={selection && `Select ${selection.rowLabel(row.original)}`}
              />
            ))}
            {rows.length === 0 && (
              <tr>
                <td className="empty" colSpan={table.getVisibleLeafColumns().length + (selection ? 1 : 0)}>
                  {data.length === 0 ? empty : `No rows match “${filter.trim()}”.`}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {menu && <RowMenu at={menu} onClose={() => setMenu(undefined)} />}
    </div>
  );
}

// Props compared by value or by tanstack's memoised identities: a row re-renders only when its cells or its
// selection change, so that ticking one checkbox among thousands of rows redraws one row.
interface DataRowProps<T> {
  row: Row<T>;
  cells: Cell<T, unknown>[];
  selected: boolean;
  /** The checkbox's label; none when the table has no selection. */
  selectLabel: string | undefined;
}

const DataRow = memo(function DataRow<T>({ row, cells, selected, selectLabel }: DataRowProps<T>) {
  return (
    // The row's checkbox tells assistive technology whether it is selected (aria-selected is not a table row's).
    <tr data-row={row.id} tabIndex={-1} className={selected ? 'selected' : undefined}>
      {selectLabel && (
        <td className="select-cell">
          <SelectBox label={selectLabel} checked={selected} disabled={!row.getCanSelect()} onChange={row.getToggleSelectedHandler()} />
        </td>
      )}
      {cells.map((cell) => (
        <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
      ))}
    </tr>
  );
}) as <T>(props: DataRowProps<T>) => ReactElement;

interface SelectBoxProps {
  label: string;
  checked: boolean;
  indeterminate?: boolean;
  disabled: boolean;
  onChange: (e: unknown) => void;
}

/** A native checkbox: a Fluent Checkbox per row costs too much with thousands of rows. */
function SelectBox({ label, checked, indeterminate = false, disabled, onChange }: SelectBoxProps) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate && !checked;
  }, [indeterminate, checked]);
  return <input ref={ref} type="checkbox" aria-label={label} checked={checked} disabled={disabled} onChange={onChange} />;
}

/** Case-insensitive: the words the cell shows contain the filter's text. */
function matchesFilter<T>(row: Row<T>, columnId: string, filter: GlobalFilter): boolean {
  return cellText(row, columnId).toLowerCase().includes(filter.text);
}

function cellText<T>(row: Row<T>, columnId: string): string {
  const cell = row.getAllCells().find((c) => c.column.id === columnId);
  if (!cell) return '';
  const value = cell.getValue();
  const words = cell.column.columnDef.meta?.filterText;
  if (words) return words(value);
  return value === null || value === undefined ? '' : String(value);
}
