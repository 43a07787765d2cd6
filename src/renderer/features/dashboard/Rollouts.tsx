// How far each approved update has got among the phones it is for (its model and locale), as a partition (each phone
// in one part, the parts summing to the phones): on the approved version, can't update (the store lacks what it
// needs, or no rule for its locale), behind (offered at its next check),
// downloading (offered or downloaded), stuck, silent, other (nothing on the way: a test device on a pending version…).
import type { DashboardDto } from '../../../shared/inventory-api.js';
import { NumbersTable } from './NumbersTable.js';

type Rollout = DashboardDto['rollouts'][number];

const PARTS = [
  ['on', 'On it', (r: Rollout) => r.onApproved],
  ['blocked', 'Can’t update', (r: Rollout) => r.blocked],
  ['behind', 'Behind', (r: Rollout) => r.behind],
  ['downloading', 'Downloading', (r: Rollout) => r.offered + r.downloaded],
  ['stuck', 'Stuck', (r: Rollout) => r.stuck],
  ['silent', 'Silent', (r: Rollout) => r.silent],
  ['other', 'Other', (r: Rollout) => r.other],
] as const;

const percent = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : '—');

export function Rollouts({ rollouts }: { rollouts: DashboardDto['rollouts'] }) {
  return (
    <section className="card" aria-labelledby="rollouts-title">
      <h2 id="rollouts-title">Rollouts of approved updates</h2>
      {rollouts.length === 0 ? (
        <p className="muted">No update is approved yet.</p>
      ) : (
        <ul className="rollouts">
          {rollouts.map((r) => (
            <li key={r.ruleId}>
              <div className="rollout-head">
                <span className="mono">{r.rule}</span>
                <span>
                  <strong>{r.onApproved}</strong> of {r.eligible} on {r.approved} ({percent(r.onApproved, r.eligible)})
                </span>
              </div>
              <div className="bar stacked" role="img" aria-label={`${r.rule}: ${PARTS.map(([, label, n]) => `${label} ${n(r)}`).join(', ')}, of ${r.eligible}`}>
                {PARTS.filter(([, , n]) => n(r) > 0).map(([id, label, n]) => (
                  <span key={id} className={`segment part-${id}`} title={`${label}: ${n(r)}`} style={{ width: `${r.eligible ? (100 * n(r)) / r.eligible : 0}%` }} />
                ))}
              </div>
              <div className="legend">
                {PARTS.map(([id, label, n]) => (
                  <span key={id}>
                    <span className={`swatch part-${id}`} />
                    {label} <span className="muted">{n(r)}</span>
                  </span>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
      <NumbersTable
        label="Rollouts"
        headers={['Rule', 'Approved', 'Phones', ...PARTS.map(([, label]) => label)]}
        rows={rollouts.map((r) => [r.rule, r.approved, r.eligible, ...PARTS.map(([, , n]) => n(r))])}
      />
    </section>
  );
}
