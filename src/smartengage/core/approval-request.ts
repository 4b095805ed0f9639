import type { ComposedMessage } from '../../messaging/types';
import type { ApprovalSettings, OpenApprovalInput } from '../types';

/**
 * What the approval gate is asked with for one composed reminder. Pure, so the re-engagement
 * workflow and the benchmark's plain loop (its cost floor) open the gate with the same request.
 */
export function approvalRequest(args: {
  messageId: string;
  workflowId: string;
  customerId: string;
  campaignId: string | null;
  locale: 'bn' | 'en';
  composed: ComposedMessage;
  settings: ApprovalSettings;
  holdClaimHours?: number;
}): OpenApprovalInput {
  const { composed } = args;
  return {
    messageId: args.messageId,
    workflowId: args.workflowId,
    customerId: args.customerId,
    campaignId: args.campaignId,
    templateId: composed.templateId,
    promptVersion: composed.promptVersion,
    locale: args.locale,
    model: composed.model,
    draft: composed.draft,
    safety: composed.safetyChecks,
    settings: args.settings,
    // a waiting draft keeps the customer's contact claim (same activity, one more input field: no new command)
    holdClaimHours: args.holdClaimHours,
  };
}
