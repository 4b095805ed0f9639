import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { ApprovalDecisionInput, ApprovalDecisionResult } from '../../smartengage/types';
import { APPROVAL_ALREADY_DECIDED, APPROVAL_UNKNOWN, approvalDecisionUpdate } from '../../workflows/smartengage/definitions';

export type DeliveredDecision =
  | { delivered: true; result: ApprovalDecisionResult }
  /** unknown: the run is not waiting on this message; decided: it already has a decision; gone: the run has closed. */
  | { delivered: false; refusal: 'unknown' | 'decided' | 'gone'; message: string };

/**
 * Delivers an operator's decision to the waiting re-engagement run as a Workflow Update and
 * waits for its answer (the run stores the decision before answering). The validator's refusals
 * come back as typed failures, told apart here so the API can answer 404 or 409.
 */
export async function deliverApprovalDecision(client: Client, workflowId: string, input: ApprovalDecisionInput): Promise<DeliveredDecision> {
  try {
    const result = await client.workflow.getHandle(workflowId).executeUpdate(approvalDecisionUpdate, { args: [input] });
    return { delivered: true, result };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause;
      const type = cause instanceof ApplicationFailure ? cause.type : undefined;
      const message = cause?.message ?? error.message;
      if (type === APPROVAL_ALREADY_DECIDED) return { delivered: false, refusal: 'decided', message };
      if (type === APPROVAL_UNKNOWN) return { delivered: false, refusal: 'unknown', message };
    }
    if (error instanceof WorkflowNotFoundError) return { delivered: false, refusal: 'gone', message: error.message };
    throw error;
  }
}
