// Selection as in the MMC and Explorer, on tanstack's row selection: a click selects one row, Ctrl+click toggles
// one, Shift+click selects the range from the last row clicked (Ctrl+Shift adds it), Ctrl+A selects every row the
// filter shows, Esc clears. Rows that cannot be selected are skipped.
import { useRef } from 'react';
import type { Row, Table } from '@tanstack/react-table';

export function useRowSelection<T>(table: Table<T>, enabled: boolean) {
  // The row a range starts from: the last one clicked without Shift.
  const anchor = useRef<string>(undefined);

  const only = (row: Row<T>) => {
    anchor.current = row.id;
    table.setRowSelection(row.getCanSelect() ? { [row.id]: true } : {});
  };

  const click = (row: Row<T>, how: { toggle: boolean; range: boolean }) => {
    if (!enabled) return;
    const rows = table.getRowModel().rows;
    const from = rows.findIndex((r) => r.id === anchor.current);
    if (how.range && from >= 0) {
      const to = rows.findIndex((r) => r.id === row.id);
      const span = rows.slice(Math.min(from, to), Math.max(from, to) + 1).filter((r) => r.getCanSelect());
      table.setRowSelection((old) => ({ ...(how.toggle ? old : {}), ...Object.fromEntries(span.map((r) => [r.id, true])) }));
    } else if (how.toggle) {
      anchor.current = row.id;
      if (row.getCanSelect()) row.toggleSelected();
    } else {
      only(row);
    }
  };

  return {
    click,
    only,
    all: () => table.toggleAllPageRowsSelected(true),
    none: () => table.resetRowSelection(true),
  };
}
