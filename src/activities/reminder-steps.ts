import { Context } from '@temporalio/activity';
import type { NewDeepLink } from '../smartengage/deep-links';
import type { ApprovalGate, ClaimResult, OpenApprovalInput, ReminderContext } from '../smartengage/types';
import type { RecordMessageInput } from '../messaging/types';
import type { Db } from '../db/database';
import type { SendPlanRequest } from './reengagement';

/** The single steps the merged ones are made of: the activities of the same names. */
export interface ReminderStepParts {
  planSendWindow(input: SendPlanRequest): Promise<{ waitMs: number }>;
  claimContactSlot(input: { customerId: string; workflowId: string; capHours: number; campaignId?: string | null }): Promise<ClaimResult>;
  loadReminderContext(input: { customerId: string; serviceId: string }): Promise<ReminderContext>;
  openMessageApproval(input: OpenApprovalInput): Promise<ApprovalGate>;
  createReminderDeepLink(input: NewDeepLink): Promise<{ tokenId: string; url: string }>;
  recordMessage(input: RecordMessageInput): Promise<{ messageId: string }>;
  attachReminderDeepLink(input: { tokenId: string; messageId: string }): Promise<void>;
}

export interface ClaimReminderInput {
  /** Plan the send window first (the run's first call); absent once the run has waited for it. */
  plan?: SendPlanRequest;
  claim: { customerId: string; workflowId: string; capHours: number; campaignId?: string | null };
  context: { customerId: string; serviceId: string };
}

/** `waitMs > 0`: nothing claimed yet, wait and ask again without `plan`. Otherwise the claim, and the context when it was taken. */
export interface ClaimReminderResult {
  waitMs: number;
  claim?: ClaimResult;
  reminder?: ReminderContext;
}

export interface RecordReminderInput {
  /** Open the approval gate first (the run's first record); absent after a decision. */
  approval?: OpenApprovalInput;
  link: NewDeepLink;
  /** The message as recordMessage stores it; the deep link's URL is filled in here. */
  message: Omit<RecordMessageInput, 'deepLink'> & { messageId: string };
}

/** `gate.wait`: nothing recorded (no messageId), the draft waits for an operator. Otherwise the recorded message. */
export interface RecordReminderResult {
  gate?: ApprovalGate;
  messageId?: string;
}

/**
 * The re-engagement run's consecutive database steps as two local activities instead of seven
 * (issue 16): each local activity costs the run a marker event in its history, a workflow
 * activation and the encoding of its input and result, more than most of these steps cost
 * PostgreSQL. Each merged step calls the same activity functions in the same order the workflow
 * called them one by one, so their records, decisions and metrics are the same; every part is
 * idempotent (by workflow id, idempotency key or message id), so a retried attempt repeats
 * them safely.
 */
export function createReminderStepActivities(parts: ReminderStepParts, isRecorded: (messageId: string) => Promise<boolean>) {
  return {
    /** Send window planned (and its decision stored), then consent and cap checked while claiming, then the reminder's context. */
    async claimReminder(input: ClaimReminderInput): Promise<ClaimReminderResult> {
      if (input.plan) {
        const { waitMs } = await parts.planSendWindow(input.plan);
        if (waitMs > 0) return { waitMs };
      }
      const claim = await parts.claimContactSlot(input.claim);
      if (!claim.claimed) return { waitMs: 0, claim };
      return { waitMs: 0, claim, reminder: await parts.loadReminderContext(input.context) };
    },

    /** The approval gate, then (when the draft need not wait) the deep link, the message row and the link tied to it. */
    async recordReminder(input: RecordReminderInput): Promise<RecordReminderResult> {
      // A retry of an attempt that recorded the message keeps that message: the gate is not asked
      // again (a canary slot freed meanwhile must not hold back a message already recorded).
      const recordedBefore = input.approval && retried() && (await isRecorded(input.message.messageId));
      const gate = input.approval && !recordedBefore ? await parts.openMessageApproval(input.approval) : undefined;
      if (gate?.wait) return { gate };
      const link = await parts.createReminderDeepLink(input.link);
      const { messageId } = await parts.recordMessage({ ...input.message, deepLink: link.url });
      await parts.attachReminderDeepLink({ tokenId: link.tokenId, messageId });
      return { gate, messageId };
    },
  };
}

/** Whether the message row exists (the merged step's retry guard). */
export function messageRecordedIn(db: Db): (messageId: string) => Promise<boolean> {
  return async (messageId) => (await db.selectFrom('ai_messages').select('id').where('id', '=', messageId).executeTakeFirst()) !== undefined;
}

/** True in a second or later attempt of the running activity (never outside a worker). */
function retried(): boolean {
  try {
    return Context.current().info.attempt > 1;
  } catch {
    return false;
  }
}
