// One error envelope for the admin API: AppErrors in words, anything else logged and reported as internal.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ERROR_STATUS, type ErrorBody } from '../../shared/errors.js';
import { AppError } from '../app/app-error.js';
import { StoreUnavailable } from '../app/store-contract.js';

export function errorMiddleware(log: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let body: ErrorBody;
    const e = err as { type?: string; status?: number; message?: string };
    if (err instanceof AppError) {
      body = { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } };
    } else if (err instanceof StoreUnavailable) {
      // A pool whose database is away: phones are still answered from the last snapshot; changes must wait.
      body = { error: { code: 'busy', message: `${err.message} Nothing was changed; phones are still answered with the rules last read. Try again once it is back.` } };
    } else if (e?.type === 'entity.parse.failed') {
      body = { error: { code: 'invalid_input', message: 'The request body is not valid JSON.' } };
    } else if (e?.type === 'entity.too.large') {
      body = { error: { code: 'too_large', message: 'The request body is too large.' } };
    } else {
      log.error({ err }, 'admin API request failed');
      body = { error: { code: 'internal', message: 'Something went wrong on the server; the details are in its log.' } };
    }
    if (res.headersSent) return void res.end();
    res.status(ERROR_STATUS[body.error.code]).json(body);
  };
}
