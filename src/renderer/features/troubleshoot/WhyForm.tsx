// "Why does this phone (not) update?" for a phone described by hand: the same engine the phones get their answer
// from, so a phone that never checked in (or one on its way) can be diagnosed too. Opened from a rule's or a phone's
// context menu, it comes filled in and answers at once.
import { useEffect, useRef, useState } from 'react';
import { Button } from '@fluentui/react-components';
import { explainPhone } from '../../api.js';
import { TextField } from '../../components/Field.js';
import { Notice } from '../../components/Notice.js';
import { Explanation } from './Explanation.js';
import { useFormAction } from './use-form-action.js';
import type { WhyQuery } from './why-link.js';

const FIELDS = [
  ['model', 'Model', 'e.g. CX600'],
  ['revision', 'Revision', 'e.g. A (blank: any)'],
  ['locale', 'Locale', 'e.g. ENU'],
  ['version', 'Installed version', 'e.g. 4.0.7577.4100'],
  ['mac', 'MAC address', 'to check test devices'],
  ['serial', 'Serial number', 'to check test devices'],
] as const;
type FieldName = (typeof FIELDS)[number][0];

export function WhyForm({ asked }: { asked?: WhyQuery | undefined }) {
  const [values, setValues] = useState<Record<FieldName, string>>({ model: '', revision: '', locale: 'ENU', version: '', mac: '', serial: '', ...asked });
  // Blank fields are left out: the server assumes (and says what it assumed).
  const why = useFormAction(() => explainPhone(Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim())) as Record<FieldName, string>));
  const names = FIELDS.map(([f]) => f);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!asked) return;
    form.current?.scrollIntoView({ block: 'nearest' });
    form.current?.requestSubmit();
  }, []);

  return (
    <section className="card" aria-labelledby="why-title">
      <h2 id="why-title">Why does a phone (not) update?</h2>
      <p className="muted">Describe the phone as its About screen shows it; the answer is the one the phone would get now.</p>
      <form ref={form} className="add-form" onSubmit={why.submit} noValidate>
        <div className="fields">
          {FIELDS.map(([name, label, hint]) => (
            <TextField
              key={name}
              size="small"
              id={`why-${name}`}
              label={label}
              hint={hint}
              value={values[name]}
              onChange={(v) => setValues((old) => ({ ...old, [name]: v }))}
              error={why.fieldError(name)}
            />
          ))}
          <div className="add-form-actions">
            <Button type="submit" size="small" appearance="primary" disabled={why.busy}>
              Explain
            </Button>
          </div>
        </div>
      </form>
      <Notice error={why.generalError(names)} />
      {why.result && <Explanation why={why.result} />}
    </section>
  );
}
