// The one error type use cases throw: a code (mapped to an HTTP status and a CLI exit code) and words for the admin.
import type { z } from 'zod';
import type { ErrorCode } from '../../shared/errors.js';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Validates input with a shared schema; the first problem becomes invalid_input, naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.');
  throw new AppError('invalid_input', field ? `${field}: ${issue.message}` : issue.message, field || undefined);
}
