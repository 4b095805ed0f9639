import { openApproval, recordApprovalDecision } from '../smartengage/approval-queue';
import type { ApprovalGate, OpenApprovalInput } from '../smartengage/types';
import type { ApprovalDecision } from '../db/types';
import type { ActivityDeps } from './deps';

/** The approval gate's database steps, for the re-engagement workflow (local activities). */
export function createApprovalActivities({ db }: ActivityDeps) {
  return {
    /** Whether the draft waits for an operator (canary slot taken, or flagged); the queue entry if so. */
    async openMessageApproval(input: OpenApprovalInput): Promise<ApprovalGate> {
      return openApproval(db, input);
    },

    /** The decision (approve, reject, or timeout) as the workflow took it; once per entry. */
    async recordApprovalDecision(input: { messageId: string; decision: ApprovalDecision; note?: string | null; decidedBy: string }): Promise<void> {
      await recordApprovalDecision(db, input);
    },
  };
}
