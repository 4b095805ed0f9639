import { Router } from 'express';
import { z } from 'zod';
import { REPLY_INTENTS } from '../../replies/intent';
import { listReplies } from '../../replies/store';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseQuery } from '../validate';

const RepliesQuery = z
  .object({
    intent: z.enum(REPLY_INTENTS).optional().openapi({ description: 'e.g. complaint: the operators\' complaint queue' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z.iso.datetime({ offset: true }).optional().openapi({ description: 'older than this (paging by received_at)' }),
  })
  .strict()
  .openapi('RepliesQuery');

const QueuedReplySchema = z
  .object({
    id: z.uuid(),
    intent: z.enum(REPLY_INTENTS).nullable().openapi({ description: 'null while the reply workflow has not classified it yet' }),
    summary: z.string().nullable(),
    text: z.string().openapi({ description: 'the reply without quoted history and signature' }),
    channel: z.enum(['email', 'in_app']),
    requested_date: z.string().nullable(),
    flags: z.array(z.string()).openapi({ description: 'e.g. prompt_injection: the reply carried text aimed at a model' }),
    classified_by: z.string().nullable().openapi({ description: 'rules or llm' }),
    received_at: z.string(),
    user_id: z.uuid(),
    message: z.object({
      id: z.uuid(),
      agent_type: z.string(),
      message_type: z.string(),
      subject: z.string().nullable(),
      message_text: z.string(),
      sent_at: z.string().nullable(),
    }),
    booking: z
      .object({ id: z.uuid(), status: z.string(), scheduled_at: z.string(), service_name: z.string(), worker_id: z.uuid().nullable() })
      .nullable()
      .openapi({ description: "the booking the message was about: the recipient's latest booking before the message" }),
  })
  .openapi('QueuedReply');
const RepliesResponse = z.object({ replies: z.array(QueuedReplySchema) }).openapi('Replies');

openApiRegistry.registerPath({
  method: 'get',
  path: '/internal/replies',
  summary: 'Replies to messages with their intent, newest first (intent=complaint: the complaint queue)',
  description: 'Each with the message it answered and the booking that message was about. Operators only.',
  tags: ['replies'],
  request: { query: RepliesQuery },
  responses: { 200: { description: 'the replies', content: { 'application/json': { schema: RepliesResponse } } }, ...errorResponses(401, 403, 422) },
});

/** `/internal/replies`: what customers and workers answered, as classified (DESIGN.md "Replies understood"). */
export function repliesRouter({ db }: ApiDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseQuery(RepliesQuery, req);
    const replies = await listReplies(db, { intent: query.intent, limit: query.limit, ...(query.before ? { before: new Date(query.before) } : {}) });
    const body: z.infer<typeof RepliesResponse> = { replies };
    res.json(body);
  });
  return router;
}
