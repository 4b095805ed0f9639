import { Router } from 'express';
import { z } from 'zod';
import { CheckInBodySchema, CoachnovaEventSchema, toSessionSignal } from '../../coachnova/events';
import { workerExists, workerStateView } from '../../coachnova/worker-state';
import { runningSessionView, signalCoachingSession } from '../../temporal/clients/coaching-session';
import { SessionViewSchema } from '../../coachnova/session-view-schema';
import { notFound } from '../../lib/errors';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseBody } from '../validate';

const AcceptedSchema = z.object({
  workflow_id: z.string().describe('the worker session, coaching-<worker id>'),
  worker_id: z.string(),
  type: z.enum(['job_completed', 'job_cancelled', 'check_in']),
  correlation_id: z.string(),
});
const WorkerIdParams = z.object({ id: z.string().describe('worker id (uuid)') });
const json = <S extends z.ZodType>(schema: S) => ({ 'application/json': { schema } });

openApiRegistry.registerPath({
  method: 'post',
  path: '/internal/ai/coachnova/events',
  summary: "Deliver a worker event (job completed or cancelled, check-in) to the worker's coaching session",
  tags: ['coachnova'],
  request: { body: { content: json(CoachnovaEventSchema) } },
  responses: { 202: { description: 'signalled (session started if none ran)', content: json(AcceptedSchema) }, ...errorResponses(401, 403, 404, 422) },
});
openApiRegistry.registerPath({
  method: 'post',
  path: '/internal/ai/coachnova/workers/{id}/check-in',
  summary: "A worker's check-in answer: 0 (very bad) to 10 (very good); 3 or lower is HIGH risk at once",
  tags: ['coachnova'],
  request: { params: WorkerIdParams, body: { content: json(CheckInBodySchema) } },
  responses: { 202: { description: 'signalled', content: json(AcceptedSchema) }, ...errorResponses(401, 403, 404, 422) },
});
openApiRegistry.registerPath({
  method: 'get',
  path: '/internal/ai/coachnova/workers/{id}',
  summary: "A worker's burnout risk with its factors, metrics and pending messages",
  tags: ['coachnova'],
  request: { params: WorkerIdParams },
  responses: { 200: { description: 'from the running session, else computed from bookings', content: json(SessionViewSchema) }, ...errorResponses(401, 403, 404) },
});

const UUID = z.uuid();

/** Mounted at /internal/ai/coachnova (operator credentials). Validates, signals, answers. */
export function coachnovaRouter({ config, db, temporal }: ApiDeps): Router {
  const router = Router();

  const requireWorker = async (id: string) => {
    if (!UUID.safeParse(id).success || !(await workerExists(db, id))) throw notFound('worker');
  };

  router.post('/events', async (req, res) => {
    const event = parseBody(CoachnovaEventSchema, req);
    await requireWorker(event.worker_id);
    const signal = toSessionSignal(event, new Date(), req.correlationId);
    const workflowId = await signalCoachingSession(temporal, config, event.worker_id, signal, req.correlationId);
    const accepted: z.infer<typeof AcceptedSchema> = { workflow_id: workflowId, worker_id: event.worker_id, type: event.type, correlation_id: req.correlationId };
    res.status(202).json(accepted);
  });

  router.post('/workers/:id/check-in', async (req, res) => {
    const workerId = req.params.id;
    const body = parseBody(CheckInBodySchema, req);
    await requireWorker(workerId);
    const signal = toSessionSignal({ type: 'check_in', worker_id: workerId, ...body }, new Date(), req.correlationId);
    const workflowId = await signalCoachingSession(temporal, config, workerId, signal, req.correlationId);
    const accepted: z.infer<typeof AcceptedSchema> = { workflow_id: workflowId, worker_id: workerId, type: 'check_in', correlation_id: req.correlationId };
    res.status(202).json(accepted);
  });

  router.get('/workers/:id', async (req, res) => {
    const workerId = req.params.id;
    if (!UUID.safeParse(workerId).success) throw notFound('worker');
    const view = await workerStateView(db, config, workerId, () => runningSessionView(temporal, workerId));
    if (!view) throw notFound('worker');
    res.json(view);
  });

  return router;
}
