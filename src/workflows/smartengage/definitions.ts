import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CampaignProgress, ReengagementOutcome } from '../../smartengage/types';

/**
 * Workflow type names. Every start (API, schedule, child, bench, tests) names a workflow by one of
 * these constants, typed with `typeof <workflow function>` for its arguments; renaming a workflow
 * function therefore cannot silently change the type name running histories know it by.
 */
export const SMARTENGAGE_CAMPAIGN_WORKFLOW = 'smartEngageCampaign';
export const SCHEDULED_CADENCE_CHECK_WORKFLOW = 'scheduledCadenceCheck';
export const REENGAGEMENT_WORKFLOW = 'reengageCustomer';

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
