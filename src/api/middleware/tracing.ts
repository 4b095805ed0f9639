import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

/**
 * One SERVER span per HTTP request, continuing the caller's trace when it sends `traceparent`.
 * Everything the request does (the workflow it starts) runs in the span's context. Named after the
 * route template, never the concrete path: paths carry ids and tokens.
 */
export function httpServerSpans(): RequestHandler {
  const tracer = trace.getTracer('shoktiai-api');
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    res.once('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      const correlationId = res.getHeader('x-correlation-id');
      if (correlationId) span.setAttribute('correlation.id', String(correlationId));
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
