// The fleet at a glance: phones per state, firmware versions per model, how far each approved update has got, and
// phones seen per day. Every chart has its numbers as a table under it (screen readers, copying).
import { useCallback } from 'react';
import { Button } from '@fluentui/react-components';
import { DEVICE_STATES } from '../../../shared/inventory-api.js';
import { getDashboard } from '../../api.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { useLoad } from '../../use-load.js';
import { STATE_LABEL } from '../devices/device-words.js';
import { InventoryFull } from '../devices/InventoryFull.js';
import './dashboard.css';
import { Rollouts } from './Rollouts.js';
import { SeenPerDay } from './SeenPerDay.js';
import { VersionsChart } from './VersionsChart.js';

const nf = new Intl.NumberFormat();

export function DashboardTab() {
  const dashboard = useLoad(useCallback(() => getDashboard(), []));
  const d = dashboard.data;
  return (
    <>
      <div className="toolbar">
        <Button size="small" disabled={dashboard.loading} onClick={() => void dashboard.reload()}>
          Refresh
        </Button>
      </div>
      <Notice error={dashboard.error} />
      {d && <InventoryFull full={d.full} />}
      {d ? (
        d.total === 0 ? (
          <p className="intro">No phones yet: the dashboard fills as phones check in (or after importing a retiring server's audit logs in Troubleshoot).</p>
        ) : (
          <>
            <dl className="tiles" aria-label="Phones by state">
              <div className="tile">
                <dt>Phones</dt>
                <dd>{nf.format(d.total)}</dd>
              </div>
              {DEVICE_STATES.map((s) => (
                <div key={s} className={`tile state-${s}`}>
                  <dt>{STATE_LABEL[s]}</dt>
                  <dd>{nf.format(d.counts[s])}</dd>
                </div>
              ))}
            </dl>
            <div className="dashboard-grid">
              <VersionsChart versions={d.versions} />
              <Rollouts rollouts={d.rollouts} />
              <SeenPerDay days={d.seenPerDay} />
            </div>
          </>
        )
      ) : (
        dashboard.loading && <Loading />
      )}
    </>
  );
}
