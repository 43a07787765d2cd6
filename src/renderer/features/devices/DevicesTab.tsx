// The Devices tab: the fleet list, or one phone's page (#/devices/<id>: a link to a phone can be bookmarked or
// shared, and the browser's Back returns to the list as it was: filters, sort, scroll). A row's context menu opens
// the phone, asks Troubleshoot's Why for it, or makes it a test device (after asking).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeviceDto } from '../../../shared/inventory-api.js';
import type { RowMenuItem } from '../../components/RowMenu.js';
import type { WhyQuery } from '../troubleshoot/why-link.js';
import './devices.css';
import { DeviceList, NO_TEXTS, type DeviceListState } from './DeviceList.js';
import { DevicePage } from './DevicePage.js';
import { MakeTestDeviceDialog } from './MakeTestDeviceDialog.js';

export interface DevicesTabProps {
  canChange: boolean;
  /** The part of the link after #/devices/: the open phone's id. */
  phone: string | undefined;
  /** Opens a phone's page, or the list (undefined). */
  onPhone: (id: number | undefined) => void;
  /** Opens Troubleshoot's Why for a phone. */
  onWhy: (q: WhyQuery) => void;
}

export function DevicesTab({ canChange, phone, onPhone, onWhy }: DevicesTabProps) {
  const [view, setView] = useState<DeviceListState>({ texts: NO_TEXTS, state: undefined, sorting: { sort: 'lastSeen', order: 'desc' } });
  const open = phone && /^\d+$/.test(phone) ? Number(phone) : undefined;
  // Stable: the table's rows are memoised on it.
  const onPhoneNow = useRef(onPhone);
  onPhoneNow.current = onPhone;
  const openDevice = useCallback((d: DeviceDto) => onPhoneNow.current(d.id), []);
  const [making, setMaking] = useState<DeviceDto>();
  const [made, setMade] = useState<string>();

  const rowMenu = (d: DeviceDto): RowMenuItem[] => [
    { label: 'Open', onSelect: () => openDevice(d) },
    {
      label: 'Why',
      onSelect: () => onWhy({ model: d.model, revision: d.revision, locale: d.locale, version: d.version, mac: d.mac ?? '', serial: d.serial ?? '' }),
    },
    ...(canChange ? [{ label: 'Make test device', onSelect: () => (setMade(undefined), setMaking(d)) }] : []),
  ];

  // Back on the list, the focus returns to the row that opened the page (when it is still in view).
  const opened = useRef<number>(undefined);
  useEffect(() => {
    if (open !== undefined) opened.current = open;
    else if (opened.current !== undefined) document.querySelector<HTMLElement>(`[data-device="${opened.current}"]`)?.focus();
  }, [open]);

  return (
    <>
      {/* Set aside, not unmounted: the list keeps its loaded pages, its scroll position and its rows to focus. */}
      <div className={open === undefined ? undefined : 'set-aside'}>
        <p className="intro">Every phone that asked this server for updates, with where it stands. Open one to see why it does or does not update.</p>
        <DeviceList view={view} onChange={setView} onOpen={openDevice} rowMenu={rowMenu} status={made} />
      </div>
      {making && (
        <MakeTestDeviceDialog
          device={making}
          onCancel={() => setMaking(undefined)}
          onDone={(outcome) => {
            setMaking(undefined);
            setMade(outcome);
          }}
        />
      )}
      {open !== undefined && <DevicePage id={open} canChange={canChange} onBack={() => onPhone(undefined)} />}
    </>
  );
}
