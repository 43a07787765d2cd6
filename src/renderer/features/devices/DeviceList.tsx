// The fleet: counts per state as filter chips, a search box and exact filters (model, version, locale), the
// virtualised table, and the same selection as CSV. The filters are the parent's, so that they survive a visit to a
// phone's page.
import { useMemo } from 'react';
import { Button, Input, SearchBox, Text, ToggleButton } from '@fluentui/react-components';
import { DEVICE_STATES, type DeviceDto, type DeviceState } from '../../../shared/inventory-api.js';
import type { RowMenuItem } from '../../components/RowMenu.js';
import { devicesCsvUrl } from '../../api.js';
import { Notice } from '../../components/Notice.js';
import { DeviceTable } from './DeviceTable.js';
import { InventoryFull } from './InventoryFull.js';
import { STATE_LABEL } from './device-words.js';
import { useDevicePages, type DeviceSorting } from './use-device-pages.js';
import { useThrottled } from './use-throttled.js';

/** What the admin typed: q (search), model, version, locale. */
export type DeviceTexts = Record<'q' | 'model' | 'version' | 'locale', string>;
export const NO_TEXTS: DeviceTexts = { q: '', model: '', version: '', locale: '' };

export interface DeviceListState {
  texts: DeviceTexts;
  state: DeviceState | undefined;
  sorting: DeviceSorting;
}

export interface DeviceListProps {
  view: DeviceListState;
  onChange: (view: DeviceListState) => void;
  onOpen: (device: DeviceDto) => void;
  rowMenu: (device: DeviceDto) => RowMenuItem[];
  /** The outcome of the last action from a row's menu: in the list's one notice. */
  status: string | undefined;
}

const THROTTLE_MS = 200;
const nf = new Intl.NumberFormat();
const phones = (n: number) => `${nf.format(n)} ${n === 1 ? 'phone' : 'phones'}`;

export function DeviceList({ view, onChange, onOpen, rowMenu, status }: DeviceListProps) {
  const texts = useThrottled(view.texts, THROTTLE_MS);
  const filters = useMemo(() => ({ ...texts, state: view.state }), [texts, view.state]);
  const rows = useDevicePages(filters, view.sorting);
  const list = rows.list;
  const all = list ? DEVICE_STATES.reduce((n, s) => n + list.counts[s], 0) : 0;
  const filtered = Object.values(texts).some((t) => t.trim()) || view.state !== undefined;
  const setText = (field: keyof DeviceTexts) => (value: string) => onChange({ ...view, texts: { ...view.texts, [field]: value } });
  const setState = (state: DeviceState | undefined) => onChange({ ...view, state });

  return (
    <>
      {list && <InventoryFull full={list.full} />}
      <div className="state-chips" role="group" aria-label="Filter by state">
        <ToggleButton size="small" shape="circular" checked={view.state === undefined} onClick={() => setState(undefined)}>
          All {list && <span className="chip-count">{nf.format(all)}</span>}
        </ToggleButton>
        {DEVICE_STATES.map((s) => (
          <ToggleButton key={s} size="small" shape="circular" checked={view.state === s} onClick={() => setState(view.state === s ? undefined : s)}>
            {STATE_LABEL[s]} {list && <span className="chip-count">{nf.format(list.counts[s])}</span>}
          </ToggleButton>
        ))}
      </div>
      <div className="table-tools device-filters">
        <SearchBox
          size="small"
          className="table-filter"
          placeholder="MAC, serial, user or model…"
          aria-label="Search devices"
          autoComplete="off"
          spellCheck={false}
          value={view.texts.q}
          onChange={(_, d) => setText('q')(d.value)}
        />
        {(['model', 'version', 'locale'] as const).map((field) => (
          <Input
            key={field}
            size="small"
            className="exact-filter"
            placeholder={{ model: 'Model (CX600)', version: 'Version', locale: 'Locale (ENU)' }[field]}
            aria-label={`${field[0]!.toUpperCase()}${field.slice(1)} is`}
            autoComplete="off"
            spellCheck={false}
            value={view.texts[field]}
            onChange={(_, d) => setText(field)(d.value)}
          />
        ))}
        <Text size={200} className="muted" aria-live="polite">
          {list ? `${phones(list.total)}${filtered ? ' found' : ''}` : 'Loading…'}
        </Text>
        <Button as="a" size="small" href={devicesCsvUrl(filters)} download>
          Export CSV
        </Button>
      </div>
      <Notice error={rows.error} status={status} />
      {list && (
        <DeviceTable
          rows={rows}
          total={list.total}
          sorting={view.sorting}
          onSort={(sorting) => onChange({ ...view, sorting })}
          onOpen={onOpen}
          rowMenu={rowMenu}
          empty={
            filtered
              ? 'No phones match these filters.'
              : 'No phones yet. A phone appears here after its first update check to this server. To start with the phones a retiring Lync or OCS server knows, import its RequestHandlerAuditLog_*.log files (Troubleshoot, Import audit logs).'
          }
        />
      )}
    </>
  );
}
