import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { startProcessMetrics } from '../lib/metrics';
import { createBackgroundQueue } from './background-queue';
import type { ApiDeps } from './deps';
import { correlationId } from './middleware/correlation';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { requestLog } from './middleware/request-log';
import { securityHeaders } from './middleware/security-headers';
import { wellFormedText } from './middleware/well-formed-text';
import { openApiDocument } from './openapi';
import { authenticate, requireOperator } from './middleware/auth';
import { analyticsRouter } from './routes/analytics';
import { authRouter } from './routes/auth';
import { bookingCompletionRouter } from './routes/booking-completion';
import { bookingsRouter } from './routes/bookings';
import { codecRouter } from './routes/codec';
import { coachnovaRouter } from './routes/coachnova';
import { healthRouter } from './routes/health';
import { linksRouter } from './routes/links';
import { messagesRouter } from './routes/messages';
import { servicesRouter } from './routes/services';
import { smartengageRouter } from './routes/smartengage';
import { unsubscribeRouter } from './routes/unsubscribe';

/** Work handed off after answering (signals to workflows) in flight at once from one API process. */
const BACKGROUND_CONCURRENCY = 32;

/** The app, and a way to let the work it handed off finish before the process stops. */
export type App = Express & { drainBackground(): Promise<void> };

/** TRUST_PROXY as Express takes it: a hop count, true/false, or addresses/subnets/names. */
function trustProxySetting(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Builds the Express app. It validates, starts or signals workflows, and answers; no agent work here. */
export function createApp(deps: ApiDeps): App {
  startProcessMetrics();
  const app = express();
  const background = createBackgroundQueue(BACKGROUND_CONCURRENCY, (error) => deps.logger.warn({ err: error }, 'background task failed'));
  app.disable('x-powered-by');
  // X-Forwarded-For only from the proxies configured (rate limits key on the client IP)
  app.set('trust proxy', trustProxySetting(deps.config.TRUST_PROXY));
  app.use(correlationId);
  app.use(requestLog(deps.logger));
  app.use(securityHeaders(deps.config.PUBLIC_BASE_URL));
  app.use(codecRouter(deps));
  app.use(express.json({ limit: '100kb' }));
  app.use(wellFormedText);

  app.use(healthRouter(deps));
  app.use(linksRouter(deps, background));
  app.use(unsubscribeRouter(deps));
  app.use(authenticate(deps.config));
  app.use(authRouter(deps));
  app.use(servicesRouter(deps));
  app.use(bookingCompletionRouter(deps));
  app.use(bookingsRouter(deps));
  app.use(messagesRouter(deps));
  app.use('/internal', requireOperator);
  app.use('/internal/ai/smartengage', smartengageRouter(deps));
  app.use('/internal/ai/coachnova', coachnovaRouter(deps));
  app.use('/internal/analytics', analyticsRouter(deps));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' } }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return Object.assign(app, { drainBackground: () => background.drain() });
}
