// The "Columns" menu of a table: a checkbox item per column that shows or hides it, and Reset column widths (back to
// the widths the content asks for). Fluent's Menu gives the keyboard behaviour (arrows, Escape back to the button);
// the last shown column cannot be hidden.
import { useState } from 'react';
import { Menu, MenuButton, MenuDivider, MenuItem, MenuItemCheckbox, MenuList, MenuPopover, MenuTrigger } from '@fluentui/react-components';
import type { Column, Table } from '@tanstack/react-table';

/** The words of a column's header (its id when the header is not plain text). */
export const columnLabel = <T,>(column: Column<T, unknown>): string =>
  typeof column.columnDef.header === 'string' ? column.columnDef.header : column.id;

export function ColumnsMenu<T>({ table, label }: { table: Table<T>; label: string }) {
  const [open, setOpen] = useState(false);
  const columns = table.getAllLeafColumns().filter((c) => c.getCanHide());
  const shown = columns.filter((c) => c.getIsVisible()).map((c) => c.id);

  if (columns.length === 0) return null;
  return (
    <Menu
      open={open}
      onOpenChange={(_, data) => setOpen(data.open)}
      checkedValues={{ columns: shown }}
      onCheckedValueChange={(_, { checkedItems }) =>
        table.setColumnVisibility((old) => ({ ...old, ...Object.fromEntries(columns.map((c) => [c.id, checkedItems.includes(c.id)])) }))
      }
    >
      <MenuTrigger disableButtonEnhancement>
        {/* Fluent leaves aria-expanded out while closed; "false" says there is a list to open. */}
        <MenuButton size="small" aria-expanded={open}>
          Columns
        </MenuButton>
      </MenuTrigger>
      <MenuPopover>
        <MenuList aria-label={`Columns of ${label.toLowerCase()}`}>
          {columns.map((c) => (
            <MenuItemCheckbox key={c.id} name="columns" value={c.id} disabled={shown.length === 1 && c.getIsVisible()}>
              {columnLabel(c)}
            </MenuItemCheckbox>
          ))}
          <MenuDivider />
          <MenuItem disabled={Object.keys(table.getState().columnSizing).length === 0} onClick={() => table.resetColumnSizing(true)}>
            Reset column widths
          </MenuItem>
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
