// One setting in the form: its label, the input its kind needs, a help line, and the server's message when it
// refused the value. Read-only for viewers.
import type { SettingKey } from '../../../shared/settings.js';
import { SECRET_SET } from './settings-draft.js';
import { SETTING_FIELDS } from './setting-fields.js';
import { FieldError } from '../../components/Field.js';

export interface SettingFieldProps {
  name: SettingKey;
  value: string | boolean;
  /** The server's value, for secrets: "[set]" or "". */
  stored: unknown;
  readOnly: boolean;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
}

export function SettingField({ name, value, stored, readOnly, error, onChange }: SettingFieldProps) {
  const f = SETTING_FIELDS[name];
  const id = `setting-${name}`;
  const help = f.restart ? `${f.help} Applies after a restart.` : f.help;
  const describedBy = error ? `${id}-error` : `${id}-hint`;
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;
  const text = typeof value === 'string' ? value : '';

  let input;
  switch (f.kind) {
    case 'boolean':
      input = (
        <input {...common} type="checkbox" checked={value === true} disabled={readOnly} onChange={(e) => onChange(e.target.checked)} />
      );
      break;
    case 'choice':
      input = (
        <select {...common} value={text} disabled={readOnly} onChange={(e) => onChange(e.target.value)}>
          {f.choices?.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'list':
      input = <textarea {...common} rows={3} value={text} readOnly={readOnly} spellCheck={false} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'secret':
      input = readOnly ? (
        <input {...common} type="text" value={stored === SECRET_SET ? 'set (hidden)' : 'not set'} readOnly />
      ) : (
        <input
          {...common}
          type="password"
          value={text}
          autoComplete="new-password"
          placeholder={stored === SECRET_SET ? 'set: type a new one to replace it' : 'not set'}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    default:
      input = (
        <input
          {...common}
          type="text"
          inputMode={f.kind === 'number' ? 'numeric' : undefined}
          value={text}
          readOnly={readOnly}
          spellCheck={false}
          autoComplete="off"
          placeholder={readOnly ? undefined : f.placeholder}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }

  return (
    <div className={`field setting ${f.kind === 'boolean' ? 'checkbox-field' : ''}${error ? ' invalid' : ''}`}>
      {f.kind === 'boolean' ? (
        <span className="checkbox-line">
          {input}
          <label htmlFor={id}>{f.label}</label>
        </span>
      ) : (
        <>
          <label htmlFor={id}>{f.label}</label>
          {input}
        </>
      )}
      <span id={`${id}-hint`} className="hint">
        {help}
      </span>
      <FieldError id={id} error={error} />
    </div>
  );
}
