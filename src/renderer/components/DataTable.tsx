// The one table of the console, over @tanstack/react-table v8: sortable columns and, optionally, row checkboxes.
// Features configure columns and data; the markup, sorting and selection live here.
import { useEffect, useRef, useState } from 'react';
import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type OnChangeFn,
  type RowSelectionState,
  type SortingState,
} from '@tanstack/react-table';

export interface RowSelection<T> {
  selected: RowSelectionState;
  onChange: OnChangeFn<RowSelectionState>;
  /** Rows that cannot be selected show a disabled checkbox. */
  canSelect?: (row: T) => boolean;
  /** Names the row for the checkbox's label ("Select <label>"). */
  rowLabel: (row: T) => string;
}

export interface DataTableProps<T> {
  /** The table's accessible name. */
  label: string;
  data: T[];
  // Columns of different value types in one list: the documented v8 idiom.
  columns: ColumnDef<T, any>[];
  getRowId: (row: T) => string;
  empty: string;
  selection?: RowSelection<T>;
}

export function DataTable<T>({ label, data, columns, getRowId, empty, selection }: DataTableProps<T>) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const table = useReactTable({
    data,
    columns: selection ? [selectColumn(selection), ...columns] : columns,
    getRowId,
    state: { sorting, rowSelection: selection?.selected ?? {} },
    onSortingChange: setSorting,
    enableRowSelection: selection ? (row) => selection.canSelect?.(row.original) ?? true : false,
    onRowSelectionChange: selection?.onChange,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });

  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const content = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                    className={header.column.id === SELECT_ID ? 'select-cell' : undefined}
                  >
                    {header.column.getCanSort() ? (
                      <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                        {content}
                        <span aria-hidden="true" className="sort-mark">
                          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
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
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} className={row.getIsSelected() ? 'selected' : undefined}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={cell.column.id === SELECT_ID ? 'select-cell' : undefined}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
          {data.length === 0 && (
            <tr>
              <td className="empty" colSpan={table.getVisibleLeafColumns().length}>
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

const SELECT_ID = 'select';

function selectColumn<T>(selection: RowSelection<T>): ColumnDef<T> {
  return {
    id: SELECT_ID,
    enableSorting: false,
    header: ({ table }) => (
      <Checkbox
        label="Select all"
        checked={table.getIsAllRowsSelected()}
        indeterminate={table.getIsSomeRowsSelected()}
        disabled={!table.getRowModel().rows.some((r) => r.getCanSelect())}
        onChange={table.getToggleAllRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <Checkbox
        label={`Select ${selection.rowLabel(row.original)}`}
        checked={row.getIsSelected()}
        disabled={!row.getCanSelect()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  };
}

interface CheckboxProps {
  label: string;
  checked: boolean;
  indeterminate?: boolean;
  disabled?: boolean;
  onChange: (e: unknown) => void;
}

function Checkbox({ label, checked, indeterminate = false, disabled, onChange }: CheckboxProps) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate && !checked;
  }, [indeterminate, checked]);
  return <input ref={ref} type="checkbox" aria-label={label} checked={checked} disabled={disabled} onChange={onChange} />;
}
