// A form that asks the server one thing: its answer, its error (next to the field the server names, else above the
// answer) and whether it is running.
import { useState, type FormEvent } from 'react';
import { ApiError, errorText } from '../../api.js';

export interface FormAction<T> {
  result: T | undefined;
  busy: boolean;
  submit: (e: FormEvent) => void;
  /** The server's message for this field, if it named it. */
  fieldError: (field: string) => string | undefined;
  /** The error that names none of `fields`. */
  generalError: (fields: readonly string[]) => string | undefined;
}

export function useFormAction<T>(action: () => Promise<T>): FormAction<T> {
  const [result, setResult] = useState<T>();
  const [error, setError] = useState<{ field?: string | undefined; message: string }>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    try {
      setResult(await action());
      setError(undefined);
    } catch (e) {
      setResult(undefined);
      setError({ field: e instanceof ApiError ? e.field : undefined, message: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  return {
    result,
    busy,
    submit: (e) => {
      e.preventDefault();
      void run();
    },
    fieldError: (field) => (error?.field === field ? error.message : undefined),
    generalError: (fields) => (error && !fields.includes(error.field ?? '') ? error.message : undefined),
  };
}
