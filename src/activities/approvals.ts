import { openApproval, recordApprovalDecision } from '../smartengage/approval-queue';
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
      return gate;
    },

    /** The decision (approve, reject, or timeout) as the workflow took it; once per entry. */
    async recordApprovalDecision(input: { messageId: string; decision: ApprovalDecision; note?: string | null; decidedBy: string }): Promise<void> {
      if (await recordApprovalDecision(db, input)) approvalsDecided.inc({ decision: input.decision });
    },
  };
}
