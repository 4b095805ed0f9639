import { defineSignal } from '@temporalio/workflow';
import type { MessageResponseEvent } from '../../messaging/types';

/**
 * A person responded to a message (clicked its link, booked, replied, acknowledged). The API
 * signals the workflow named in `ai_messages.workflow_id`; every agent's workflow handles it.
 */
export const messageResponseSignal = defineSignal<[MessageResponseEvent]>('messageResponse');
