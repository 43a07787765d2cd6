// The "Columns" button of a table: opens a short list of checkboxes that show or hide its columns.
// Escape or moving focus away closes it; the last shown column cannot be hidden.
import { useEffect, useId, useRef, useState } from 'react';
import type { Column, Table } from '@tanstack/react-table';

/** The words of a column's header (its id when the header is not plain text). */
export const columnLabel = <T,>(column: Column<T, unknown>): string =>
  typeof column.columnDef.header === 'string' ? column.columnDef.header : column.id;

export function ColumnsMenu<T>({ table, label }: { table: Table<T>; label: string }) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  const wrapRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const columns = table.getAllLeafColumns().filter((c) => c.getCanHide());
  const shown = columns.filter((c) => c.getIsVisible()).length;

  useEffect(() => {
    if (open) wrapRef.current?.querySelector<HTMLInputElement>('input:not(:disabled)')?.focus();
  }, [open]);

  if (columns.length === 0) return null;
  return (
    <div
      ref={wrapRef}
      className="columns-menu"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
      onBlur={(e) => {
        if (!wrapRef.current?.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button ref={buttonRef} type="button" aria-expanded={open} aria-controls={listId} onClick={() => setOpen((o) => !o)}>
        Columns <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <fieldset id={listId} className="columns-list" tabIndex={-1}>
          <legend className="visually-hidden">Columns of {label.toLowerCase()}</legend>
          {columns.map((c) => (
            <label key={c.id}>
              <input
                type="checkbox"
                checked={c.getIsVisible()}
                disabled={c.getIsVisible() && shown === 1}
                onChange={c.getToggleVisibilityHandler()}
              />
              {columnLabel(c)}
            </label>
          ))}
        </fieldset>
      )}
    </div>
  );
}
