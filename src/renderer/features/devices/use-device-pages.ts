// The Devices tab's rows, paged from the server: the first page (with the total and the counts per state) when the
// filters or the sort change, then each page the table scrolls to. The rows of the previous query stay until the
// new query's first page arrives, so that the table never flashes empty; answers to superseded queries are dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeviceDto, DeviceListDto, DeviceSort } from '../../../shared/inventory-api.js';
import { errorText, listDevices, type DeviceFilters } from '../../api.js';

export const PAGE_SIZE = 200;

export interface DeviceSorting {
  sort: DeviceSort;
  order: 'asc' | 'desc';
}

export interface DeviceRows {
  /** The first page's answer of the current query (total, counts, thresholds); undefined until it arrives. */
  list: DeviceListDto | undefined;
  /** The row at an index, or undefined while its page loads. */
  rowAt: (index: number) => DeviceDto | undefined;
  /** Loads the pages holding rows first..last (the rows in view) that are not loaded or loading; cheap to repeat. */
  ensure: (first: number, last: number) => void;
  error: string | undefined;
  loading: boolean;
}

interface Query {
  filters: DeviceFilters;
  sorting: DeviceSorting;
}

export function useDevicePages(filters: DeviceFilters, sorting: DeviceSorting): DeviceRows {
  const [list, setList] = useState<DeviceListDto>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  // Pages by index of the query shown; bumping `loaded` re-renders when one arrives.
  const pages = useRef(new Map<number, DeviceDto[] | 'loading'>());
  const shown = useRef<Query>(undefined);
  const query = useRef<Query>({ filters, sorting });
  const [, setLoaded] = useState(0);

  const fetchPage = useCallback((q: Query, index: number) => listDevices({ ...q.filters, ...q.sorting, limit: PAGE_SIZE, offset: index * PAGE_SIZE }), []);

  useEffect(() => {
    const q: Query = { filters, sorting };
    query.current = q;
    setLoading(true);
    fetchPage(q, 0).then(
      (first) => {
        if (query.current !== q) return;
        pages.current = new Map([[0, first.devices]]);
        shown.current = q;
        setList(first);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (query.current !== q) return;
        setError(errorText(e));
        setLoading(false);
      },
    );
  }, [filters, sorting, fetchPage]);

  const ensure = useCallback(
    (first: number, last: number) => {
      const q = query.current;
      // Until the new query's first page arrives, the rows in view are the old query's: nothing to load for them.
      if (shown.current !== q) return;
      for (let index = Math.floor(first / PAGE_SIZE); index <= Math.floor(last / PAGE_SIZE); index++) {
        if (pages.current.has(index)) continue;
        const map = pages.current;
        map.set(index, 'loading');
        fetchPage(q, index).then(
          (page) => {
            if (pages.current !== map) return;
            map.set(index, page.devices);
            setLoaded((n) => n + 1);
          },
          (e: unknown) => {
            if (pages.current !== map) return;
            map.delete(index);
            setError(errorText(e));
          },
        );
      }
    },
    [fetchPage],
  );

  const rowAt = (index: number) => {
    const page = pages.current.get(Math.floor(index / PAGE_SIZE));
    return page === 'loading' ? undefined : page?.[index % PAGE_SIZE];
  };

  return { list, rowAt, ensure, error, loading };
}
