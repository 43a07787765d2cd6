// One phone: what the inventory knows, why it gets (or does not get) an update, its update checks in the audit log
// and the logs it uploaded. "Make test device" adds it to the test devices in one click; the Why then shows it
// being offered the pending version.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Badge, Button } from '@fluentui/react-components';
import type { DeviceDto } from '../../../shared/inventory-api.js';
import { addTestDevice, errorText, explainPhone, getDevice } from '../../api.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { formatMac } from '../../../shared/mac.js';
import { formatTime } from '../../format.js';
import { useMacNotation } from '../../mac-notation.js';
import { useLoad } from '../../use-load.js';
import { Explanation } from '../troubleshoot/Explanation.js';
import { DeviceHistory, DeviceLogs } from './DeviceRecords.js';
import { phoneName, STATE_COLOR, STATE_LABEL } from './device-words.js';
import { madeTestDevice, testDeviceOf } from './MakeTestDeviceDialog.js';

export interface DevicePageProps {
  id: number;
  canChange: boolean;
  onBack: () => void;
}

export function DevicePage({ id, canChange, onBack }: DevicePageProps) {
  const device = useLoad(useCallback(() => getDevice(id), [id]));
  const heading = useRef<HTMLHeadingElement>(null);
  const d = device.data;
  const { notation } = useMacNotation();

  // The page replaces the list: the focus moves to its heading, so that keyboard and screen reader users start here.
  useEffect(() => {
    if (d) heading.current?.focus();
  }, [d?.id]);

  return (
    <div className="device-page">
      <div className="toolbar">
        <Button size="small" onClick={onBack}>
          ← Back to devices
        </Button>
      </div>
      <Notice error={device.error} />
      {d ? (
        <>
          <h2 ref={heading} tabIndex={-1} className="page-title">
            {phoneName(d, notation)}{' '}
            <Badge appearance="tint" color={STATE_COLOR[d.state]}>
              {STATE_LABEL[d.state]}
            </Badge>
          </h2>
          <p className="intro">{d.reason}</p>
          <div className="device-columns">
            <DeviceFacts d={d} />
            <Why d={d} canChange={canChange} />
          </div>
          <DeviceHistory id={d.id} />
          <DeviceLogs id={d.id} />
        </>
      ) : (
        device.loading && <Loading />
      )}
    </div>
  );
}

function DeviceFacts({ d }: { d: DeviceDto }) {
  const { notation } = useMacNotation();
  const facts: [string, string][] = [
    ['MAC address', d.mac ? formatMac(d.mac, notation) : '—'],
    ['Serial number', d.serial ?? '—'],
    ['Model', `${d.deviceType} / ${d.vendor} / ${d.model} / ${d.revision}`],
    ['Locale', d.locale],
    ['Installed version', d.version],
    ['Last user', d.userName || '—'],
    ['Address', d.address],
    ['First seen', formatTime(d.firstSeen)],
    ['Last seen', formatTime(d.lastSeen)],
    ['Offered', d.offeredVersion ? `${d.offeredVersion}${d.offeredAt ? `, since ${formatTime(d.offeredAt)}` : ''}` : '—'],
    ['Downloaded', d.downloadedAt ? formatTime(d.downloadedAt) : '—'],
    ['At its next check', d.dueVersion ? `will be offered ${d.dueVersion}` : 'nothing to offer'],
    ['Updated', d.updatedAt ? formatTime(d.updatedAt) : '—'],
  ];
  return (
    <section className="card" aria-labelledby="device-facts">
      <h3 id="device-facts">Phone</h3>
      <dl className="facts">
        {facts.map(([k, v]) => (
          <div key={k} className="fact">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The engine's answer for the phone as it last described itself. */
function Why({ d, canChange }: { d: DeviceDto; canChange: boolean }) {
  const why = useLoad(
    useCallback(
      () =>
        explainPhone({
          model: d.model,
          deviceType: d.deviceType,
          vendor: d.vendor,
          revision: d.revision,
          locale: d.locale,
          version: d.version,
          ...(d.mac ? { mac: d.mac } : {}),
          ...(d.serial ? { serial: d.serial } : {}),
        }),
      [d],
    ),
  );
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { notation } = useMacNotation();

  const makeTestDevice = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const added = await addTestDevice(testDeviceOf(d, notation));
      setStatus(madeTestDevice(added.name));
      await why.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card why" aria-labelledby="device-why">
      <div className="result-head">
        <h3 id="device-why">Why</h3>
        {canChange && why.data && !why.data.testDevice && (
          <Button size="small" disabled={busy} onClick={() => void makeTestDevice()}>
            Make test device
          </Button>
        )}
      </div>
      <Notice error={error ?? why.error} status={status} />
      {why.data ? <Explanation why={why.data} /> : why.loading && <Loading />}
    </section>
  );
}
