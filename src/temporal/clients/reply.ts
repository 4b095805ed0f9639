import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import type { Db } from '../../db/database';
import { notFound } from '../../lib/errors';
import type { MessageResponseEvent } from '../../messaging/types';
import { storeReply, type IncomingReply } from '../../replies/store';
import type { understandReply } from '../../workflows/replies/understand';
import { replyWorkflowId, UNDERSTAND_REPLY_WORKFLOW } from '../../workflows/replies/definitions';
import { deliverMessageResponse, type ResponseDelivery } from './message-response';

export interface ReceivedReply {
  replyId: string;
  /** The same reply was already stored (a mail server retrying, a double tap): nothing new happens. */
  duplicate: boolean;
  deliveredTo: ResponseDelivery | 'duplicate';
}

/**
 * The one reply path (DESIGN.md "Replies understood"), for email replies (the inbound SMTP
 * listener) and in-app replies (`POST /messages/:id/reply`) alike:
 *
 * 1. store the reply once per (message, Message-ID or text hash);
 * 2. tell the message's workflow it was answered (`messageResponse` REPLIED, as before; the text
 *    itself stays in the database, out of workflow history);
 * 3. start the reply workflow (`reply-<reply id>`), which classifies the reply and acts on it.
 *
 * A redelivered reply repeats only step 3, which the fixed workflow id makes a no-op once it ran
 * (and completes it if an earlier attempt stopped between 1 and 3).
 */
export async function receiveReply(deps: { db: Db; temporal: Client; config: Config }, reply: IncomingReply): Promise<ReceivedReply> {
  const message = await deps.db.selectFrom('ai_messages').select(['id', 'user_id', 'workflow_id']).where('id', '=', reply.messageId).executeTakeFirst();
  if (!message) throw notFound('message');
  const stored = await storeReply(deps.db, message.user_id, reply);
  let deliveredTo: ReceivedReply['deliveredTo'] = 'duplicate';
  if (!stored.duplicate) {
    const event: MessageResponseEvent = { messageId: message.id, response: 'REPLIED', at: new Date().toISOString(), replyId: stored.replyId };
    deliveredTo = await deliverMessageResponse(deps, message, event);
  }
  try {
    await deps.temporal.workflow.start<typeof understandReply>(UNDERSTAND_REPLY_WORKFLOW, {
      workflowId: replyWorkflowId(stored.replyId),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [{ replyId: stored.replyId, ...(reply.correlationId ? { correlationId: reply.correlationId } : {}) }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return { ...stored, deliveredTo };
}
