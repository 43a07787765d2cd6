// A chart's numbers as a table, folded under it: the text alternative of the chart, and a way to copy them.
import type { ReactNode } from 'react';
import { PlainTable } from '../../components/PlainTable.js';

export function NumbersTable({ label, headers, rows }: { label: string; headers: string[]; rows: ReactNode[][] }) {
  return (
    <details className="numbers">
      <summary>Show as a table</summary>
      <PlainTable label={label} headers={headers} rows={rows} />
    </details>
  );
}
