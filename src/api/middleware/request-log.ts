import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration } from '../../lib/metrics';
import type { Logger } from '../../lib/logger';
import { openApiDocument } from '../openapi';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

let templates: { routes: Array<{ method: string; pattern: RegExp; label: string }>; prefixes: Set<string> } | undefined;

/**
 * The route template of a request no route handled itself (a 401 from the /internal guard answers
 * before Express matches the route): the documented path it fits, in Express's spelling, else the
 * documented prefix it falls under (`/internal/*`), else `unmatched`. Bounded by the document.
 */
export function routeTemplateOf(method: string, path: string): string {
  if (!templates) {
    const paths = Object.entries(((openApiDocument() as { paths?: Record<string, Record<string, unknown>> }).paths ?? {}));
    templates = {
      routes: paths.flatMap(([template, operations]) =>
        Object.keys(operations).map((m) => ({
          method: m.toUpperCase(),
          pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}/?$`),
          label: template.replace(/\{([^}]+)\}/g, ':$1'),
        })),
      ),
      prefixes: new Set(paths.map(([template]) => template.split('/')[1]).filter((s) => s && !s.startsWith('{'))),
    };
  }
  const route = templates.routes.find((r) => r.method === method && r.pattern.test(path)) ?? templates.routes.find((r) => r.pattern.test(path));
  if (route) return route.label;
  const first = path.split('/')[1];
  return first && templates.prefixes.has(first) ? `/${first}/*` : 'unmatched';
}

/** One JSON log line and one latency observation per request, labelled by route pattern. */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // label values stay bounded: route templates only, whatever path a client sends
      const route = typeof req.route?.path === 'string' ? `${req.baseUrl}${req.route.path}` : routeTemplateOf(req.method, req.originalUrl.split('?')[0]);
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      httpRequestDuration.observe({ method, route, status: String(res.statusCode) }, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'info';
      logger[level]({ correlation_id: req.correlationId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}
