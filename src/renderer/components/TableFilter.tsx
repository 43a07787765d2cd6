// The filter box above a table and how many rows it leaves: "12 of 340 rules".
import { count } from '../format.js';

export interface TableFilterProps {
  id: string;
  /** The table's accessible name. */
  label: string;
  value: string;
  onChange: (value: string) => void;
  shown: number;
  total: number;
  /** What a row is, in the singular ("rule"). */
  noun: string;
}

export function TableFilter({ id, label, value, onChange, shown, total, noun }: TableFilterProps) {
  return (
    <>
      <input
        id={id}
        type="search"
        className="table-filter"
        placeholder="Filter…"
        aria-label={`Filter ${label.toLowerCase()}`}
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      <span className="muted table-count" aria-live="polite">
        {value.trim() ? `${shown} of ${count(total, noun)}` : count(total, noun)}
      </span>
    </>
  );
}
