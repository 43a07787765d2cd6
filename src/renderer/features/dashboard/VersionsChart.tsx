// Firmware versions per model: one bar per model (its length: its phones against the largest model's), split by
// installed version, most phones first.
import type { DashboardDto } from '../../../shared/inventory-api.js';
import { NumbersTable } from './NumbersTable.js';

/** Series colours from Fluent's palette tokens: distinct in both themes. */
const SERIES = ['Blue', 'Teal', 'Marigold', 'Berry', 'Lavender', 'Peach', 'Forest', 'Steel'].map((c) => `var(--colorPalette${c}BorderActive)`);

export function VersionsChart({ versions }: { versions: DashboardDto['versions'] }) {
  const models = new Map<string, { version: string; phones: number }[]>();
  for (const v of versions) models.set(v.model, [...(models.get(v.model) ?? []), v]);
  const totals = [...models].map(([model, list]) => ({ model, list, phones: list.reduce((n, v) => n + v.phones, 0) }));
  const largest = Math.max(1, ...totals.map((t) => t.phones));
  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Firmware versions per model</h2>
      <div className="bars" role="img" aria-label={totals.map((t) => `${t.model}: ${t.list.map((v) => `${v.phones} on ${v.version}`).join(', ')}`).join('; ')}>
        {totals.map((t) => (
          <div key={t.model} className="bar-row">
            <span className="bar-label">{t.model}</span>
            <div className="bar-track">
              <div className="bar" style={{ width: `${(100 * t.phones) / largest}%` }}>
                {t.list.map((v, i) => (
                  <span key={v.version} className="segment" title={`${v.version}: ${v.phones}`} style={{ flexGrow: v.phones, background: SERIES[i % SERIES.length] }} />
                ))}
              </div>
              <div className="legend">
                {t.list.map((v, i) => (
                  <span key={v.version}>
                    <span className="swatch" style={{ background: SERIES[i % SERIES.length] }} />
                    {v.version} <span className="muted">{v.phones}</span>
                  </span>
                ))}
              </div>
            </div>
            <span className="bar-value">{t.phones}</span>
          </div>
        ))}
      </div>
      <NumbersTable label="Firmware versions per model" headers={['Model', 'Version', 'Phones']} rows={versions.map((v) => [v.model, v.version, v.phones])} />
    </section>
  );
}
