import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/database';
import { notFound } from '../../lib/errors';
import type { MessageResponseEvent } from '../../messaging/types';
import { deliverMessageResponse } from '../../temporal/clients/message-response';
import { receiveReply } from '../../temporal/clients/reply';
import type { ApiDeps } from '../deps';
import { requireUser } from '../middleware/auth';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseBody, parseParams } from '../validate';

const MessageParams = z.object({ id: z.uuid() });
export const ReplyBody = z.object({ text: z.string().trim().min(1).max(2000) }).strict().openapi('MessageReply');
const AckBody = z.object({}).strict();

const MessageSchema = z
  .object({
    id: z.uuid(),
    agent_type: z.enum(['smartengage', 'coachnova']),
    role: z.enum(['CUSTOMER', 'WORKER']),
    channel: z.string(),
    message_type: z.string(),
    subject: z.string().nullable(),
    message_text: z.string(),
    locale: z.enum(['bn', 'en']),
    deep_link: z.string().nullable(),
    delivery_status: z.enum(['PENDING', 'SENT', 'DELIVERED', 'FAILED']),
    sent_at: z.string().nullable(),
    user_response: z.string().nullable(),
    responded_at: z.string().nullable(),
    created_at: z.string(),
    operator: z
      .object({
        user_id: z.uuid(),
        campaign_id: z.uuid().nullable(),
        correlation_id: z.string().nullable(),
        workflow_id: z.string().nullable(),
        model: z.string().nullable(),
        prompt_version: z.number().int().nullable(),
        safety_checks: z.unknown(),
        attempts: z.number().int(),
        error: z.string().nullable(),
      })
      .optional()
      .openapi({ description: 'how the message was made and delivered; operators only' }),
  })
  .openapi('Message');
const ResponseAccepted = z
  .object({
    message_id: z.uuid(),
    response: z.enum(['REPLIED', 'ACKNOWLEDGED']),
    delivered_to: z.enum(['signalled', 'recorded', 'duplicate']),
    reply_id: z.uuid().optional().openapi({ description: 'a reply: its row; its intent is classified and acted on by the reply workflow (`reply-<reply_id>`)' }),
  })
  .openapi('MessageResponseAccepted');

openApiRegistry.registerPath({
  method: 'get',
  path: '/messages/{id}',
  summary: 'A message sent to you (operators: any message, with how it was made)',
  tags: ['messages'],
  request: { params: MessageParams },
  responses: { 200: { description: 'the message', content: { 'application/json': { schema: MessageSchema } } }, ...errorResponses(401, 404, 422) },
});
for (const [suffix, summary, body] of [
  ['reply', 'Reply to a message (recorded as REPLIED)', ReplyBody],
  ['ack', 'Acknowledge a message (recorded as ACKNOWLEDGED)', AckBody],
] as const) {
  openApiRegistry.registerPath({
    method: 'post',
    path: `/messages/{id}/${suffix}`,
    summary,
    description:
      "Signals the workflow that owns the message; when it has closed, the response is recorded directly. A weaker response never replaces a stronger one. " +
      'A reply takes the same path as an email reply: stored once per message and text, then classified (book, reschedule, question, opt_out, complaint, other) and acted on by its own workflow.',
    tags: ['messages'],
    request: { params: MessageParams, body: { content: { 'application/json': { schema: body } } } },
    responses: { 202: { description: 'accepted', content: { 'application/json': { schema: ResponseAccepted } } }, ...errorResponses(400, 401, 404, 422) },
  });
}

/** The message when the caller may see it: an operator, or the person it was sent to. Otherwise 404 (no probing). */
async function visibleMessage(db: Db, req: Request) {
  const { id } = parseParams(MessageParams, req);
  const message = await db.selectFrom('ai_messages').selectAll().where('id', '=', id).executeTakeFirst();
  const auth = req.auth!;
  if (!message || (auth.role !== 'operator' && message.user_id !== auth.sub)) throw notFound('message');
  return message;
}

export function messagesRouter({ db, temporal, config }: ApiDeps): Router {
  const router = Router();

  router.get('/messages/:id', requireUser, async (req, res) => {
    const m = await visibleMessage(db, req);
    const body: z.infer<typeof MessageSchema> = {
      id: m.id,
      agent_type: m.agent_type,
      role: m.role,
      channel: m.channel,
      message_type: m.message_type,
      subject: m.subject,
      message_text: m.message_text,
      locale: m.locale,
      deep_link: m.deep_link,
      delivery_status: m.delivery_status,
      sent_at: m.sent_at?.toISOString() ?? null,
      user_response: m.user_response,
      responded_at: m.responded_at?.toISOString() ?? null,
      created_at: m.created_at.toISOString(),
      ...(req.auth!.role === 'operator'
        ? {
            operator: {
              user_id: m.user_id,
              campaign_id: m.campaign_id,
              correlation_id: m.correlation_id,
              workflow_id: m.workflow_id,
              model: m.model,
              prompt_version: m.prompt_version,
              safety_checks: m.safety_checks,
              attempts: m.attempts,
              error: m.error,
            },
          }
        : {}),
    };
    res.json(body);
  });

  const respond = (response: 'REPLIED' | 'ACKNOWLEDGED') => async (req: Request, res: import('express').Response) => {
    const text = response === 'REPLIED' ? parseBody(ReplyBody, req).text : (parseBody(AckBody, req), undefined);
    const message = await visibleMessage(db, req);
    if (text !== undefined) {
      // the same reply path as an email reply: stored once, understood by the reply workflow
      const received = await receiveReply({ db, temporal, config }, { messageId: message.id, channel: 'in_app', text, correlationId: req.correlationId });
      const accepted: z.infer<typeof ResponseAccepted> = { message_id: message.id, response, delivered_to: received.deliveredTo, reply_id: received.replyId };
      return void res.status(202).json(accepted);
    }
    const event: MessageResponseEvent = { messageId: message.id, response, at: new Date().toISOString() };
    const deliveredTo = await deliverMessageResponse({ db, temporal }, message, event);
    const accepted: z.infer<typeof ResponseAccepted> = { message_id: message.id, response, delivered_to: deliveredTo };
    res.status(202).json(accepted);
  };
  router.post('/messages/:id/reply', requireUser, respond('REPLIED'));
  router.post('/messages/:id/ack', requireUser, respond('ACKNOWLEDGED'));

  return router;
}
