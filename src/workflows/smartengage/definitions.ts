import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CampaignProgress, ReengagementOutcome } from '../../smartengage/types';

/** A re-engagement run tells its campaign how it ended (sent / skipped / failed), once it knows. */
export const reengagementOutcomeSignal = defineSignal<[ReengagementOutcome]>('reengagementOutcome');

/** Live progress of a campaign: counts so far, the cursor, children in flight. */
export const campaignProgressQuery = defineQuery<CampaignProgress>('campaignProgress');

export interface ReengagementStatus {
  phase: 'waiting_for_window' | 'composing' | 'sending' | 'awaiting_response' | 'done';
  messageId: string | null;
  response: string | null;
}

/** Where one customer's reminder is: waiting for the window, sent and awaiting a response, done. */
export const reengagementStatusQuery = defineQuery<ReengagementStatus>('reengagementStatus');
