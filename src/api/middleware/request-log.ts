import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration } from '../../lib/metrics';
import type { Logger } from '../../lib/logger';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** One JSON log line and one latency observation per request, labelled by route pattern. */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // label values stay bounded: route templates only, whatever path a client sends
      const route = typeof req.route?.path === 'string' ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      httpRequestDuration.observe({ method, route, status: String(res.statusCode) }, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'info';
      logger[level]({ correlation_id: req.correlationId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}
