import { Router } from 'express';
import { z } from 'zod';
import { pingDatabase } from '../../db/database';
import { metricsRegistry } from '../../lib/metrics';
import { checkNamespace, checkPollers, checkSearchAttributes, type CheckResult } from '../../temporal/clients/health';
import type { ApiDeps } from '../deps';
import { authenticate, requireOperator } from '../middleware/auth';
import { openApiRegistry } from '../openapi';

const CheckStatus = z.enum(['up', 'down', 'unchecked']);
const Check = z.object({ status: CheckStatus, detail: z.string().optional() });

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']).describe('ok when no check is down'),
    database: z.enum(['up', 'down']).describe('same as checks.database.status (kept for existing probes)'),
    temporal: z.enum(['up', 'down']).describe('same as checks.temporal_namespace.status (kept for existing probes)'),
    checked_at: z.string().describe('when the checks ran; answers within HEALTH_CACHE_SECONDS reuse them'),
    checks: z.object({
      database: Check.extend({ latency_ms: z.number().optional() }).describe('a query answers'),
      temporal_namespace: Check.extend({ namespace: z.string() }).describe('the frontend answers DescribeNamespace for our namespace'),
      search_attributes: Check.extend({ missing: z.array(z.string()).optional() }).describe('every search attribute this process sets is registered as Keyword; unchecked where the server will not list them'),
      workers: Check.extend({ task_queue: z.string(), workflow_pollers: z.number().optional(), activity_pollers: z.number().optional() }).describe('workers poll the task queue for workflow and activity tasks (seen within 90 s)'),
    }),
  })
  .openapi('Health');

openApiRegistry.registerPath({
  method: 'get',
  path: '/health',
  summary: 'What is usable: database, Temporal namespace, search attributes, workers polling',
  description:
    'Each check has a status; the answer is 503 when any is down. Results are cached for HEALTH_CACHE_SECONDS so a busy load balancer costs one round of checks per interval. No personal data.',
  tags: ['platform'],
  responses: {
    200: { description: 'every check up (or unchecked)', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'a check is down; `checks` says which and why', content: { 'application/json': { schema: HealthSchema } } },
  },
});
openApiRegistry.registerPath({
  method: 'get',
  path: '/health/live',
  summary: 'The process serves HTTP (liveness; checks nothing else)',
  description:
    'For load balancers and liveness probes: deep links and unsubscribe pages keep working while workers or Temporal are down, so an API should not leave the rotation because /health is 503.',
  tags: ['platform'],
  responses: { 200: { description: 'serving', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});
openApiRegistry.registerPath({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics',
  tags: ['platform'],
  responses: { 200: { description: 'text exposition format' } },
});

type Health = z.infer<typeof HealthSchema>;

/** The database ping may hang on a dead connection; /health answers within this whatever happens. */
const DATABASE_DEADLINE_MS = 2000;

async function checkDatabase(deps: ApiDeps): Promise<CheckResult> {
  const started = performance.now();
  const timeout = new Promise<false>((resolve) => setTimeout(resolve, DATABASE_DEADLINE_MS, false).unref());
  const up = await Promise.race([pingDatabase(deps.db), timeout]);
  return up ? { status: 'up', latency_ms: Math.round(performance.now() - started) } : { status: 'down', detail: 'unreachable or no answer within 2 s' };
}

async function runChecks(deps: ApiDeps): Promise<Health> {
  const { temporal, config } = deps;
  const [database, namespace, attributes, workers] = await Promise.all([
    checkDatabase(deps),
    checkNamespace(temporal),
    checkSearchAttributes(temporal),
    checkPollers(temporal, config.TEMPORAL_TASK_QUEUE),
  ]);
  const checks = { database, temporal_namespace: namespace, search_attributes: attributes, workers } as Health['checks'];
  const ok = Object.values(checks).every((check) => check.status !== 'down');
  return {
    status: ok ? 'ok' : 'degraded',
    database: database.status === 'up' ? 'up' : 'down',
    temporal: namespace.status === 'up' ? 'up' : 'down',
    checked_at: new Date().toISOString(),
    checks,
  };
}

export function healthRouter(deps: ApiDeps): Router {
  const { config } = deps;
  const router = Router();
  // one round of checks at a time, reused for HEALTH_CACHE_SECONDS: probes from several load
  // balancers cost the database and Temporal a few calls per interval, not per probe
  let cached: { at: number; result: Promise<Health> } | undefined;
  router.get('/health', async (_req, res) => {
    const now = Date.now();
    if (!cached || now - cached.at >= config.HEALTH_CACHE_SECONDS * 1000) cached = { at: now, result: runChecks(deps) };
    const body = await cached.result;
    res.setHeader('cache-control', 'no-store');
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // in production only operators (x-api-key, operator token) read the metrics: they tell traffic and failures
  const metricsAccess = config.NODE_ENV === 'production' ? [authenticate(config), requireOperator] : [];
  router.get('/metrics', ...metricsAccess, async (_req, res) => {
    res.setHeader('content-type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  });
  return router;
}
