// Error codes shared by the server, the CLI and the console. Each maps to one HTTP status.
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  invalid_package: 422,
  rate_limited: 429,
  busy: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error envelope of the admin API. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}
