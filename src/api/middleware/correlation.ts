import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const CORRELATION_HEADER = 'x-correlation-id';
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      correlationId: string;
    }
  }
}

/** Echoes the caller's correlation id (when it is a sane token) or mints a UUID, on every response. */
export function correlationId(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(CORRELATION_HEADER);
  req.correlationId = given && ACCEPTABLE.test(given) ? given : randomUUID();
  res.setHeader(CORRELATION_HEADER, req.correlationId);
  next();
}
