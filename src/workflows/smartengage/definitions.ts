import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecisionInput, ApprovalDecisionResult, CampaignProgress, ReengagementOutcome } from '../../smartengage/types';

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
  phase: 'waiting_for_window' | 'composing' | 'awaiting_approval' | 'sending' | 'awaiting_response' | 'done';
  messageId: string | null;
  response: string | null;
}

/** Where one customer's reminder is: waiting for the window, sent and awaiting a response, done. */
export const reengagementStatusQuery = defineQuery<ReengagementStatus>('reengagementStatus');

/**
 * A run whose draft waits for an operator tells its campaign, which then stops counting it
 * against the sliding window: waiting customers (up to SE_APPROVAL_TIMEOUT_SECONDS) do not stall
 * the others. Its outcome still comes later through `reengagementOutcome`.
 */
export const reengagementAwaitingApprovalSignal = defineSignal<[{ workflowId: string }]>('reengagementAwaitingApproval');

/**
 * An operator's decision on a waiting draft (`POST /internal/approvals/:message_id`). The
 * validator rejects a message id this run is not waiting on (`ApprovalUnknown`) and a second
 * decision (`ApprovalAlreadyDecided`); the handler answers once the decision is stored.
 */
export const approvalDecisionUpdate = defineUpdate<ApprovalDecisionResult, [ApprovalDecisionInput]>('approvalDecision');

/** Failure types of the update's validator, mapped by the API to 404 and 409. */
export const APPROVAL_UNKNOWN = 'ApprovalUnknown';
export const APPROVAL_ALREADY_DECIDED = 'ApprovalAlreadyDecided';
