import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { startProcessMetrics } from '../lib/metrics';
import type { ApiDeps } from './deps';
import { correlationId } from './middleware/correlation';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { requestLog } from './middleware/request-log';
import { openApiDocument } from './openapi';
import { healthRouter } from './routes/health';

/** Builds the Express app. It validates, starts or signals workflows, and answers; no agent work here. */
export function createApp(deps: ApiDeps): Express {
  startProcessMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(correlationId);
  app.use(requestLog(deps.logger));
  app.use(express.json({ limit: '100kb' }));

  app.use(healthRouter(deps));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' } }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
