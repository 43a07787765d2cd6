// Which columns of a table are shown, remembered per table (by its id) in the browser's localStorage.
import { useEffect, useRef, useState } from 'react';
import type { OnChangeFn, VisibilityState } from '@tanstack/react-table';

const storageKey = (tableId: string) => `ucupdates.columns.${tableId}`;

function read(tableId: string): VisibilityState {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey(tableId)) ?? '{}');
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {};
    return Object.fromEntries(Object.entries(stored).filter(([, v]) => typeof v === 'boolean')) as VisibilityState;
  } catch {
    return {}; // storage unavailable or unreadable: every column shows
  }
}

function write(tableId: string, state: VisibilityState): void {
  // Only the hidden columns are kept: a column added later shows by default.
  const hidden = Object.fromEntries(Object.entries(state).filter(([, visible]) => !visible));
  try {
    if (Object.keys(hidden).length > 0) localStorage.setItem(storageKey(tableId), JSON.stringify(hidden));
    else localStorage.removeItem(storageKey(tableId));
  } catch {
    // storage unavailable (private mode, quota): the choice lasts until the page is left
  }
}

/** The table's column visibility, read once when it appears and written back on every change. */
export function useColumnVisibility(tableId: string): [VisibilityState, OnChangeFn<VisibilityState>] {
  const [visibility, setVisibility] = useState<VisibilityState>(() => read(tableId));
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else write(tableId, visibility);
  }, [tableId, visibility]);
  return [visibility, setVisibility];
}
