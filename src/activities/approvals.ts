import { findApproval, openApproval, recordApprovalDecision } from '../smartengage/approval-queue';
import { recordDecisions } from '../smartengage/decisions';
import { approvalsDecided, approvalsOpened } from '../smartengage/metrics';
import type { ApprovalGate, OpenApprovalInput } from '../smartengage/types';
import type { ApprovalDecision } from '../db/types';
import type { ActivityDeps } from './deps';

/** The approval gate's database steps, for the re-engagement workflow (local activities). */
export function createApprovalActivities({ db }: ActivityDeps) {
  return {
    /** Whether the draft waits for an operator (canary slot taken, or flagged); the queue entry if so. */
    async openMessageApproval(input: OpenApprovalInput): Promise<ApprovalGate> {
      const gate = await openApproval(db, input);
      if (gate.wait && gate.opened) approvalsOpened.inc({ reason: gate.reason });
      if (gate.wait) {
        // on the customer's timeline: why this reminder waits, and with which draft's verdict
        await recordDecisions(db, [
          {
            customerId: input.customerId,
            campaignId: input.campaignId,
            workflowId: input.workflowId,
            kind: 'awaiting_approval',
            reason: gate.reason,
            facts: { message_id: input.messageId, prompt_version: input.promptVersion, model: input.model, safety: input.safety },
            idempotencyKey: `${input.workflowId}:awaiting_approval`,
          },
        ]);
      }
      return gate;
    },

    /** The decision (approve, reject, or timeout) as the workflow took it; once per entry. */
    async recordApprovalDecision(input: { messageId: string; decision: ApprovalDecision; note?: string | null; decidedBy: string }): Promise<void> {
      if (await recordApprovalDecision(db, input)) approvalsDecided.inc({ decision: input.decision });
      const entry = await findApproval(db, input.messageId);
      if (!entry) return;
      // a timeout is a rejection nobody made: the template goes out, and the timeline says why
      await recordDecisions(db, [
        {
          customerId: entry.customer_id,
          campaignId: entry.campaign_id,
          workflowId: entry.workflow_id,
          kind: entry.decision === 'approve' ? 'approved' : 'rejected',
          reason: entry.decision === 'timeout' ? 'timeout' : 'operator',
          facts: { message_id: entry.message_id, decision: entry.decision, decided_by: entry.decided_by, note: entry.note, prompt_version: entry.prompt_version },
          idempotencyKey: `${entry.workflow_id}:approval_decision`,
        },
      ]);
    },
  };
}
