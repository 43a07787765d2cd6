// "Last Update Status: 0x2f7d/200" as the phone shows it, decoded as the admin types (no request: the table is
// shared with `ucupdates decode`).
import { useId, useState } from 'react';
import { Input, Label } from '@fluentui/react-components';
import { decodeStatus, type CodeMeaning } from '../../../shared/status-codes.js';

export function StatusDecoder() {
  const [text, setText] = useState('');
  const id = useId();
  const decoded = text.trim() ? decodeStatus(text) : undefined;
  return (
    <section className="card" aria-labelledby="decoder-title">
      <h2 id="decoder-title">What does the phone's status code mean?</h2>
      <div className="decoder-input">
        <Label htmlFor={id} size="small">
          Last Update Status
        </Label>
        <Input id={id} size="small" placeholder="0x2f7d/200" autoComplete="off" spellCheck={false} value={text} onChange={(_, d) => setText(d.value)} />
      </div>
      <div aria-live="polite" className="decoded">
        {decoded &&
          (decoded.ok ? (
            <dl className="facts">
              <Meaning label={`Error ${`0x${decoded.error.code.toString(16)}`}`} m={decoded.error} />
              {decoded.http && <Meaning label={`HTTP ${decoded.http.code}`} m={decoded.http} />}
            </dl>
          ) : (
            <p className="muted">{decoded.message}</p>
          ))}
      </div>
    </section>
  );
}

function Meaning({ label, m }: { label: string; m: CodeMeaning }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <strong>{m.name}</strong>: {m.meaning}
        {m.fix && <div className="fix">What to do: {m.fix}</div>}
      </dd>
    </>
  );
}
