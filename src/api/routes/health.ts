import { Router } from 'express';
import { z } from 'zod';
import { pingDatabase } from '../../db/database';
import { metricsRegistry } from '../../lib/metrics';
import { pingTemporal } from '../../temporal/client';
import type { ApiDeps } from '../deps';
import { authenticate, requireOperator } from '../middleware/auth';
import { openApiRegistry } from '../openapi';

const HealthSchema = z
  .object({ status: z.enum(['ok', 'degraded']), database: z.enum(['up', 'down']), temporal: z.enum(['up', 'down']) })
  .openapi('Health');

openApiRegistry.registerPath({
  method: 'get',
  path: '/health',
  summary: 'Database and Temporal reachability',
  tags: ['platform'],
  responses: {
    200: { description: 'all dependencies up', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'a dependency is down', content: { 'application/json': { schema: HealthSchema } } },
  },
});
openApiRegistry.registerPath({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics',
  tags: ['platform'],
  responses: { 200: { description: 'text exposition format' } },
});

export function healthRouter({ config, db, temporal }: ApiDeps): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const [dbUp, temporalUp] = await Promise.all([pingDatabase(db), pingTemporal(temporal)]);
    const body: z.infer<typeof HealthSchema> = { status: dbUp && temporalUp ? 'ok' : 'degraded', database: dbUp ? 'up' : 'down', temporal: temporalUp ? 'up' : 'down' };
    res.status(dbUp && temporalUp ? 200 : 503).json(body);
  });
  // in production only operators (x-api-key, operator token) read the metrics: they tell traffic and failures
  const metricsAccess = config.NODE_ENV === 'production' ? [authenticate(config), requireOperator] : [];
  router.get('/metrics', ...metricsAccess, async (_req, res) => {
    res.setHeader('content-type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  });
  return router;
}
