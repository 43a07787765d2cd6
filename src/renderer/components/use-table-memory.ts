// What a table remembers per table (by its id) in the browser's localStorage: its shown columns and their widths.
import { useEffect, useRef, useState } from 'react';
import type { ColumnSizingState, OnChangeFn, VisibilityState } from '@tanstack/react-table';

type Entries<V> = Record<string, V>;

function read<V>(key: string, isValue: (v: unknown) => v is V): Entries<V> {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(key) ?? '{}');
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {};
    return Object.fromEntries(Object.entries(stored).filter(([, v]) => isValue(v))) as Entries<V>;
  } catch {
    return {}; // storage unavailable or unreadable: the table's defaults
  }
}

function write<V>(key: string, entries: Entries<V>): void {
  try {
    if (Object.keys(entries).length > 0) localStorage.setItem(key, JSON.stringify(entries));
    else localStorage.removeItem(key);
  } catch {
    // storage unavailable (private mode, quota): the choice lasts until the page is left
  }
}

/** State read once when the table appears and written back on every change (only the entries `keep` accepts). */
function useRemembered<V>(key: string, isValue: (v: unknown) => v is V, keep: (v: V) => boolean): [Entries<V>, OnChangeFn<Entries<V>>] {
  const [state, setState] = useState<Entries<V>>(() => read(key, isValue));
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else write(key, Object.fromEntries(Object.entries(state).filter(([, v]) => keep(v))));
  }, [key, state]);
  return [state, setState];
}

const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isWidth = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Which columns show. Only the hidden ones are kept: a column added later shows by default. */
export const useColumnVisibility = (tableId: string): [VisibilityState, OnChangeFn<VisibilityState>] =>
  useRemembered(`ucupdates.columns.${tableId}`, isBoolean, (visible) => !visible);

/** The widths the admin gave columns by dragging their edges; the others keep the browser's automatic width. */
export const useColumnSizing = (tableId: string): [ColumnSizingState, OnChangeFn<ColumnSizingState>] =>
  useRemembered(`ucupdates.widths.${tableId}`, isWidth, () => true);
