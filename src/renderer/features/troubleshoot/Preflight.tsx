// The deployment pre-flight: will phones find this server (DNS), trust it (certificate) and get updates (rules,
// URLs)? One verdict per check with what to do; run on demand, as its DNS look-ups take a moment.
import { useState } from 'react';
import { Badge, Button } from '@fluentui/react-components';
import type { PreflightCheckDto } from '../../../shared/admin-api.js';
import { runPreflight } from '../../api.js';
import { TextField } from '../../components/Field.js';
import { Notice } from '../../components/Notice.js';
import { useFormAction } from './use-form-action.js';

const BADGE: Record<PreflightCheckDto['status'], { color: 'success' | 'warning' | 'danger'; label: string }> = {
  pass: { color: 'success', label: 'Pass' },
  warn: { color: 'warning', label: 'Warning' },
  fail: { color: 'danger', label: 'Fail' },
};

export function Preflight() {
  const [domain, setDomain] = useState('');
  const preflight = useFormAction(() => runPreflight(domain));
  const result = preflight.result;

  const failed = result?.checks.filter((c) => c.status === 'fail').length ?? 0;
  const warned = result?.checks.filter((c) => c.status === 'warn').length ?? 0;
  return (
    <section className="card" aria-labelledby="preflight-title">
      <h2 id="preflight-title">Pre-flight check of the deployment</h2>
      <form className="add-form" onSubmit={preflight.submit} noValidate>
        <div className="fields">
          <TextField
            size="small"
            id="preflight-domain"
            label="Phones' DNS domain"
            hint="e.g. contoso.com; blank: this server's"
            value={domain}
            onChange={setDomain}
            error={preflight.fieldError('domain')}
          />
          <div className="add-form-actions">
            <Button type="submit" size="small" appearance="primary" disabled={preflight.busy}>
              {preflight.busy ? 'Running…' : 'Run'}
            </Button>
          </div>
        </div>
      </form>
      <Notice error={preflight.generalError(['domain'])} />
      {result && (
        <>
          <p aria-live="polite">
            {failed ? `${failed} of ${result.checks.length} checks failed` : warned ? `Passed with ${warned} warnings` : 'Every check passed'} for{' '}
            <strong>{result.domain}</strong>.
          </p>
          <ul className="checks" aria-label="Pre-flight checks">
            {result.checks.map((c) => (
              <li key={c.id}>
                <Badge appearance="tint" color={BADGE[c.status].color}>
                  {BADGE[c.status].label}
                </Badge>
                <div>
                  <strong>{c.title}</strong>: {c.detail}
                  {c.fix && <div className="fix">What to do: {c.fix}</div>}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
