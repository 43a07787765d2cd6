// One setting in the form: its label, the input its kind needs, a help line, and the server's message when it
// refused the value. Read-only for viewers. Numbers are text inputs, not SpinButtons: the form keeps what was
// typed ("80a" included) so that the server's message, not a silent correction, says what is wrong.
import { Checkbox, Input, Select, Textarea } from '@fluentui/react-components';
import type { SettingKey } from '../../../shared/settings.js';
import { FormField } from '../../components/Field.js';
import { SECRET_SET } from './settings-draft.js';
import { SETTING_FIELDS } from './setting-fields.js';

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
  const text = typeof value === 'string' ? value : '';
  const onText = (_: unknown, data: { value: string }) => onChange(data.value);

  let input;
  switch (f.kind) {
    case 'boolean':
      input = <Checkbox id={id} label={f.label} checked={value === true} disabled={readOnly} onChange={(_, data) => onChange(data.checked === true)} />;
      break;
    case 'choice':
      input = (
        <Select id={id} value={text} disabled={readOnly} onChange={onText}>
          {f.choices?.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </Select>
      );
      break;
    case 'list':
      // As many rows as the list has entries (up to a screenful): a list cut off after three hides what it allows.
      input = <Textarea id={id} rows={Math.min(12, Math.max(3, text.split('\n').length))} resize="vertical" value={text} readOnly={readOnly} spellCheck={false} onChange={onText} />;
      break;
    case 'secret':
      input = readOnly ? (
        <Input id={id} value={stored === SECRET_SET ? 'set (hidden)' : 'not set'} readOnly />
      ) : (
        <Input
          id={id}
          type="password"
          value={text}
          autoComplete="new-password"
          placeholder={stored === SECRET_SET ? 'set: type a new one to replace it' : 'not set'}
          onChange={onText}
        />
      );
      break;
    default:
      input = (
        <Input
          id={id}
          inputMode={f.kind === 'number' ? 'numeric' : undefined}
          value={text}
          readOnly={readOnly}
          spellCheck={false}
          autoComplete="off"
          placeholder={readOnly ? undefined : f.placeholder}
          onChange={onText}
        />
      );
  }

  return (
    <FormField id={id} label={f.kind === 'boolean' ? undefined : f.label} hint={help} error={error} size="small">
      {input}
    </FormField>
  );
}
