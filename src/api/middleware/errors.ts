import type { ErrorRequestHandler, Request, Response } from 'express';
import { ServiceError } from '@temporalio/client';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../../db/errors';
import { HttpError } from '../../lib/errors';
import { temporalHttpError } from '../../temporal/grpc-errors';
import type { Logger } from '../../lib/logger';

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
  correlation_id: string;
}

export function sendError(req: Request, res: Response, status: number, code: string, message: string, details: unknown = null): void {
  const body: ErrorBody = { error: { code, message, details: details ?? null }, correlation_id: req.correlationId };
  res.status(status).json(body);
}

/** Zod issues as `{path, message}` pairs, the path dotted ("segment_criteria.booking_cadence_days"). */
export function zodDetails(error: ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Turns anything thrown into the JSON error body; only unexpected errors are 500 and logged as such. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown, req, res, _next) => {
    if (res.headersSent) return;
    const err = classify(thrown);
    if (err instanceof HttpError) {
      // every 5xx is logged with what caused it, so the answer's correlation id leads somewhere
      if (err.status >= 500) logger.error({ err, cause: err.cause, correlation_id: req.correlationId, path: req.path, code: err.code }, err.message);
      return sendError(req, res, err.status, err.code, err.message, err.details);
    }
    if (err instanceof ZodError) {
      const fields = zodDetails(err);
      return sendError(req, res, 422, 'validation_failed', `invalid request: ${fields.map((f) => f.path || '(body)').join(', ')}`, fields);
    }
    // body-parser marks its own failures (malformed JSON, too large, bad charset) with a status.
    const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
    if (status < 500) {
      const code = err?.type === 'entity.parse.failed' ? 'malformed_json' : err?.type === 'entity.too.large' ? 'payload_too_large' : 'bad_request';
      const message = code === 'malformed_json' ? 'request body is not valid JSON' : String(err?.message ?? 'bad request');
      return sendError(req, res, status, code, message);
    }
    logger.error({ err, correlation_id: req.correlationId, path: req.path }, 'unhandled error');
    sendError(req, res, 500, 'internal_error', 'something went wrong on our side; quote the correlation id when reporting it');
  };
}

/** Dependency failures a route did not handle itself, as the answer they deserve. */
function classify(err: any): any {
  if (err instanceof HttpError || err instanceof ZodError) return err;
  if (isDatabaseUnavailable(err)) return new HttpError(503, 'database_unavailable', 'the database is unavailable; try again shortly', null, { cause: err });
  if (err instanceof ServiceError) return temporalHttpError(err, 'reach Temporal');
  return err;
}

export function notFoundHandler(req: Request, res: Response): void {
  sendError(req, res, 404, 'not_found', `no route for ${req.method} ${req.path}`);
}
