// The filter box above a table and how many rows it leaves: "12 of 340 rules".
import { SearchBox, Text } from '@fluentui/react-components';
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
      <SearchBox
        id={id}
        size="small"
        className="table-filter"
        placeholder="Filter…"
        aria-label={`Filter ${label.toLowerCase()}`}
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(_, data) => onChange(data.value)}
      />
      <Text size={200} className="muted" aria-live="polite">
        {value.trim() ? `${shown} of ${count(total, noun)}` : count(total, noun)}
      </Text>
    </>
  );
}
