// Distinct phones that checked in per day, the last 30 days: an SVG column chart (a few dozen rects; no library).
import type { DashboardDto } from '../../../shared/inventory-api.js';
import { formatDay } from '../../format.js';
import { NumbersTable } from './NumbersTable.js';

const W = 600;
const H = 140;
const AXIS = 18;
/** Room above the tallest column for the scale's label. */
const TOP = 18;
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayLabel = (iso: string) => day.format(new Date(`${iso}T00:00:00Z`));

export function SeenPerDay({ days }: { days: DashboardDto['seenPerDay'] }) {
  const max = Math.max(1, ...days.map((d) => d.phones));
  const step = W / Math.max(1, days.length);
  const peak = days.reduce((best, d) => (d.phones > best.phones ? d : best), days[0] ?? { day: '', phones: 0 });
  return (
    <section className="card" aria-labelledby="seen-title">
      <h2 id="seen-title">Phones seen per day</h2>
      <svg
        className="columns"
        viewBox={`0 0 ${W} ${H + AXIS}`}
        role="img"
        aria-label={days.length ? `From ${dayLabel(days[0]!.day)} to ${dayLabel(days[days.length - 1]!.day)}: at most ${peak.phones} phones a day (${dayLabel(peak.day)}), ${days[days.length - 1]!.phones} on the last day.` : 'No days.'}
      >
        {days.map((d, i) => {
          const h = ((H - TOP) * d.phones) / max;
          return (
            <rect key={d.day} x={i * step + 1} y={H - h} width={Math.max(1, step - 2)} height={h} className="column">
              <title>{`${dayLabel(d.day)}: ${d.phones}`}</title>
            </rect>
          );
        })}
        <line x1={0} x2={W} y1={H} y2={H} className="axis" />
        {days.length > 0 && (
          <>
            <text x={0} y={H + AXIS - 4} className="tick">
              {dayLabel(days[0]!.day)}
            </text>
            <text x={W} y={H + AXIS - 4} textAnchor="end" className="tick">
              {dayLabel(days[days.length - 1]!.day)}
            </text>
            <text x={W} y={12} textAnchor="end" className="tick">
              max {max}
            </text>
          </>
        )}
      </svg>
      <NumbersTable label="Phones seen per day" headers={['Day', 'Phones']} rows={days.map((d) => [formatDay(d.day), d.phones])} />
    </section>
  );
}
