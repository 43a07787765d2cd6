// What an import did: each image with its version and outcome, interim images, warnings first (a downgrade);
// or why it failed, in the server's words (multi-line messages keep their lines).
import { Badge, Button } from '@fluentui/react-components';
import { createColumnHelper } from '@tanstack/react-table';
import type { ImportSummary } from '../../../shared/admin-api.js';
import { DataTable } from '../../components/DataTable.js';
import { Notice } from '../../components/Notice.js';
import { count } from '../../format.js';

type ImageOutcome = ImportSummary['images'][number];

const OUTCOME_WORDS: Record<ImageOutcome['outcome'], string> = {
  pending: 'Pending approval',
  'already-approved': 'Already approved',
  'already-pending': 'Already pending',
  kept: 'Kept the newer pending version',
};

const col = createColumnHelper<ImageOutcome>();
const columns = [
  col.accessor('rule', { header: 'Rule', cell: (c) => <span className="mono">{c.getValue()}</span> }),
  col.accessor('version', { header: 'Version' }),
  col.accessor('outcome', {
    header: 'Outcome',
    meta: { filterText: (o) => OUTCOME_WORDS[o] },
    cell: (c) => (
      <Badge appearance="tint" color={c.getValue() === 'pending' ? 'brand' : 'informative'}>
        {OUTCOME_WORDS[c.getValue()]}
      </Badge>
    ),
  }),
];

export interface ImportResultProps {
  fileName: string;
  summary: ImportSummary;
  onShowPending: () => void;
  onDismiss: () => void;
}

export function ImportResult({ fileName, summary, onShowPending, onDismiss }: ImportResultProps) {
  const pending = summary.images.filter((i) => i.outcome === 'pending').length;
  const version = summary.packageVersion ? ` (package ${summary.packageVersion})` : '';
  const outcome =
    pending > 0
      ? `${count(pending, 'new version')} now pending approval: test devices get ${pending === 1 ? 'it' : 'them'} at once.`
      : summary.alreadyImported && summary.images.length === 0
        ? 'This package was imported before: nothing changed.'
        : summary.interim.length > 0
          ? `${count(summary.interim.length, 'interim image')} stored: phones at or below the interim threshold get it first.`
          : 'Nothing new: every version in this package is already approved or pending.';
  return (
    <section className="card import-result" aria-labelledby="import-result-title">
      <div className="result-head">
        <h2 id="import-result-title">
          Imported {fileName}
          {version}
        </h2>
        <Button size="small" onClick={onDismiss}>
          Close
        </Button>
      </div>
      <Notice status={outcome} />
      {summary.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {summary.warnings.map((w, i) => (
            <li key={i}>
              <strong>Warning:</strong> {w}
            </li>
          ))}
        </ul>
      )}
      {summary.images.length > 0 && (
        <DataTable
          id="imported-images"
          label="Imported images"
          noun="image"
          data={summary.images}
          columns={columns}
          getRowId={(i) => `${i.rule}@${i.version}`}
          empty=""
        />
      )}
      {summary.interim.length > 0 && (
        <ul className="interim" aria-label="Interim images">
          {summary.interim.map((i) => (
            <li key={i.locale}>
              Interim image {i.version} for {i.locale}
            </li>
          ))}
        </ul>
      )}
      {pending > 0 && (
        <p>
          <Button size="small" appearance="primary" onClick={onShowPending}>
            Review Pending Updates
          </Button>
        </p>
      )}
    </section>
  );
}

export function ImportFailure({ fileName, message, onDismiss }: { fileName: string; message: string; onDismiss: () => void }) {
  return (
    <section className="card import-result failed" aria-labelledby="import-failed-title">
      <div className="result-head">
        <h2 id="import-failed-title">Could not import {fileName}</h2>
        <Button size="small" onClick={onDismiss}>
          Close
        </Button>
      </div>
      <Notice error={message} />
    </section>
  );
}
