// The decision engine's answer for one phone, in words: the verdict first, then each step it took, the URLs the phone
// was given and what was assumed. Shown on a phone's page and for a phone described by hand.
import { Badge } from '@fluentui/react-components';
import './troubleshoot.css';
import type { ExplanationDto } from '../../../shared/admin-api.js';

export function Explanation({ why }: { why: ExplanationDto }) {
  const { offered } = why;
  return (
    <div className="explanation">
      <p className="verdict">
        {offered ? (
          <>
            <Badge appearance="filled" color="brand">
              Offered {offered.version}
            </Badge>{' '}
            {offered.source === 'interim' ? 'an interim step on the way to the approved version' : 'by its update rule'}
          </>
        ) : (
          <Badge appearance="tint" color="subtle">
            Nothing offered
          </Badge>
        )}{' '}
        ·{' '}
        {why.testDevice ? (
          <>
            test device <strong>{why.testDevice}</strong>
          </>
        ) : (
          'not a test device'
        )}
      </p>
      <ol className="trace" aria-label="Decision trace">
        {why.trace.map((step, i) => (
          <li key={i}>{step}</li>
        ))}
      </ol>
      <dl className="facts">
        <dt>Locales available</dt>
        <dd>{why.langList.length ? why.langList.join(', ') : 'none for this model'}</dd>
        {offered && (
          <>
            <dt>Internal URL</dt>
            <dd className="mono">{offered.baseUrl}</dd>
            <dt>External URL</dt>
            <dd className="mono">{offered.externalBaseUrl}</dd>
            <dt>Files</dt>
            <dd className="mono">{offered.files.join(', ')}</dd>
          </>
        )}
      </dl>
      {why.notes.length > 0 && (
        <ul className="warnings" aria-label="Notes">
          {why.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
