// Where an upload stands: the steps of an import (upload, then the server's phases) and a progress bar for the
// current one. Phases without a measure (finding the cabinet, committing) show an indeterminate bar.
import { ProgressBar, Text } from '@fluentui/react-components';
import { formatBytes } from '../../format.js';
import type { UploadState } from './use-package-upload.js';

const STEPS = ['Upload', 'Find the cabinet', 'Extract', 'Store files', 'Record versions'] as const;
const PHASE_STEP: Record<string, number> = { queued: 1, locating: 1, extracting: 2, storing: 3, committing: 4 };

type InProgress = Extract<UploadState, { step: 'uploading' | 'importing' }>;

function describe(state: InProgress): { current: number; label: string; percent: number | undefined } {
  if (state.step === 'uploading') {
    const percent = state.total > 0 ? Math.round((100 * state.sent) / state.total) : 0;
    return { current: 0, label: `Uploading: ${percent}% (${formatBytes(state.sent)} of ${formatBytes(state.total)})`, percent };
  }
  const { phase, percent } = state.job;
  const p = Math.round(percent);
  switch (phase) {
    case 'queued':
      return { current: 1, label: 'Starting the import…', percent: undefined };
    case 'locating':
      return { current: 1, label: 'Finding the cabinet in the package…', percent: undefined };
    case 'extracting':
      return { current: 2, label: `Extracting: ${p}%`, percent: p };
    case 'storing':
      return { current: 3, label: `Storing files: ${p}%`, percent: p };
    default:
      return { current: PHASE_STEP[phase] ?? 4, label: 'Recording the new versions…', percent: undefined };
  }
}

export function ImportProgress({ state }: { state: InProgress }) {
  const { current, label, percent } = describe(state);
  return (
    <section className="card import-progress" aria-labelledby="import-progress-title">
      <h2 id="import-progress-title">Importing {state.fileName}</h2>
      <ol className="import-steps">
        {STEPS.map((s, i) => (
          <li key={s} className={i < current ? 'done' : i === current ? 'current' : undefined} aria-current={i === current ? 'step' : undefined}>
            <span aria-hidden="true" className="step-mark">
              {i < current ? '✓' : i + 1}
            </span>
            {s}
            {i < current && <span className="visually-hidden"> (done)</span>}
          </li>
        ))}
      </ol>
      <ProgressBar aria-label="Import progress" thickness="large" {...(percent === undefined ? {} : { value: percent / 100 })} />
      <Text as="p" size={200} className="progress-label" aria-live="polite">
        {label}
      </Text>
    </section>
  );
}
