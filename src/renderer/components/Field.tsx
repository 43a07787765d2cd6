// A labelled control in a Fluent Field: its hint, and the error the server gave for it. Field wires the label,
// aria-describedby and aria-invalid; the message keeps the id `<control id>-error` that the tests look for.
import type { ReactElement } from 'react';
import { Field, Input } from '@fluentui/react-components';

export interface FormFieldProps {
  id: string;
  /** None for a checkbox, which carries its own label. */
  label?: string;
  error?: string | undefined;
  hint?: string | undefined;
  /** Small in dense forms; Field passes it on to the control. */
  size?: 'small' | 'medium';
  /** The control: a Fluent Input, Select, Textarea or Checkbox with this id. */
  children: ReactElement;
}

export function FormField({ id, label, error, hint, size = 'medium', children }: FormFieldProps) {
  return (
    <Field
      size={size}
      label={label ? { children: label, htmlFor: id } : undefined}
      hint={hint}
      validationState={error ? 'error' : 'none'}
      validationMessage={error ? { id: `${id}-error`, children: error } : undefined}
    >
      {children}
    </Field>
  );
}

export interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  type?: 'text' | 'password';
  autoComplete?: string;
  size?: 'small' | 'medium';
}

/** A text input in a field. */
export function TextField({ id, label, value, onChange, error, hint, type = 'text', autoComplete = 'off', size }: TextFieldProps) {
  return (
    <FormField id={id} label={label} error={error} hint={hint} size={size}>
      <Input
        id={id}
        type={type}
        value={value}
        autoComplete={autoComplete}
        spellCheck={false}
        onChange={(_, data) => onChange(data.value)}
      />
    </FormField>
  );
}
