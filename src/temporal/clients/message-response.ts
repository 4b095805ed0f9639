import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import { applyMessageResponse } from '../../messaging/responses';
import type { MessageResponseEvent } from '../../messaging/types';
import { messageResponseSignal } from '../../workflows/shared/signals';

export type ResponseDelivery = 'signalled' | 'recorded';

/**
 * Hands a person's response to the workflow that owns the message (`ai_messages.workflow_id`),
 * whatever agent it is; the workflow records it and may act on it. When that workflow has
 * closed (attribution window over, session ended) the response is recorded directly, under the
 * same never-downgrade rule. Used by the click, booking, reply and acknowledgement endpoints.
 */
export async function deliverMessageResponse(
  deps: { db: Db; temporal: Client },
  message: { id: string; workflow_id: string | null },
  event: MessageResponseEvent,
): Promise<ResponseDelivery> {
  if (message.workflow_id) {
    try {
      await deps.temporal.workflow.getHandle(message.workflow_id).signal(messageResponseSignal, event);
      return 'signalled';
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  await applyMessageResponse(deps.db, event);
  return 'recorded';
}
