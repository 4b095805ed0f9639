import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { startProcessMetrics } from '../lib/metrics';
import { startOutboxDrainer } from '../temporal/clients/signal-outbox';
import type { ApiDeps } from './deps';
import { correlationId } from './middleware/correlation';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { requestLog } from './middleware/request-log';
import { securityHeaders } from './middleware/security-headers';
import { wellFormedText } from './middleware/well-formed-text';
import { openApiDocument } from './openapi';
import { authenticate, requireOperator } from './middleware/auth';
import { analyticsRouter } from './routes/analytics';
import { approvalsRouter } from './routes/approvals';
import { authRouter } from './routes/auth';
import { bookingCompletionRouter } from './routes/booking-completion';
import { bookingsRouter } from './routes/bookings';
import { codecRouter } from './routes/codec';
import { coachnovaRouter } from './routes/coachnova';
import { consoleApiRouter, consoleStaticRouter } from './routes/console';
import { healthRouter } from './routes/health';
import { httpServerSpans } from './middleware/tracing';
import { activeTracing } from '../runtime/tracing';
import { linksRouter } from './routes/links';
import { messagesRouter } from './routes/messages';
import { promptsRouter } from './routes/prompts';
import { repliesRouter } from './routes/replies';
import { servicesRouter } from './routes/services';
import { smartengageRouter } from './routes/smartengage';
import { unsubscribeRouter } from './routes/unsubscribe';

/** How often an API process looks for signals owed to workflows (a click's own also kicks it). */
const OUTBOX_POLL_MS = 1000;
/** Event-loop utilization above which the API counts as busy and sends signals slowly. */
const OUTBOX_BUSY_UTILIZATION = 0.25;

/** The app, and a way to stop its outbox drainer (what is undelivered stays in the outbox). */
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
  const outbox = startOutboxDrainer(deps.db, deps.temporal, {
    intervalMs: OUTBOX_POLL_MS,
    signalsPerSecond: deps.config.OUTBOX_SIGNALS_PER_SECOND,
    busySignalsPerSecond: deps.config.OUTBOX_BUSY_SIGNALS_PER_SECOND,
    busyUtilization: OUTBOX_BUSY_UTILIZATION,
    onError: (error) => deps.logger.warn({ err: error }, 'could not deliver a signal from the outbox (kept for a retry)'),
  });
  app.disable('x-powered-by');
  // X-Forwarded-For only from the proxies configured (rate limits key on the client IP)
  app.set('trust proxy', trustProxySetting(deps.config.TRUST_PROXY));
  // a span per request only when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT): off, no middleware at all
  if (activeTracing()) app.use(httpServerSpans());
  app.use(correlationId);
  app.use(requestLog(deps.logger));
  app.use(securityHeaders(deps.config.PUBLIC_BASE_URL));
  app.use(codecRouter(deps));
  app.use(express.json({ limit: '100kb' }));
  app.use(wellFormedText);

  app.use(healthRouter(deps));
  app.use(consoleStaticRouter());
  app.use(linksRouter(deps, outbox));
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
  app.use('/internal/prompts', promptsRouter(deps));
  app.use('/internal/approvals', approvalsRouter(deps));
  app.use('/internal/replies', repliesRouter(deps));
  app.use('/internal/console', consoleApiRouter(deps));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' } }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return Object.assign(app, { drainBackground: () => outbox.stop() });
}
