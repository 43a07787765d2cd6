// The one error type use cases throw: a code (mapped to an HTTP status and a CLI exit code) and words for the admin.
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
