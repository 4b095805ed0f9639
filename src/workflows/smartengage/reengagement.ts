import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { condition, getExternalWorkflowHandle, patched, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ComposedMessage, MessageResponseEvent } from '../../messaging/types';
import { withApprovedPromotion } from '../../smartengage/core/promotion';
import type { OpenApprovalInput, ReengagementInput, ReengagementOutcome, ReminderContext } from '../../smartengage/types';
import { composeSafeMessage } from '../shared/compose';
import { SEND_HEARTBEAT_TIMEOUT } from '../shared/send-options';
import { messageResponseSignal } from '../shared/signals';
import { ApprovalGate } from './approval-gate';
import { reengagementOutcomeSignal, reengagementStatusQuery, type ReengagementStatus } from './definitions';
import { activityRetry, localDbStepOptions } from './retry';

type Response = MessageResponseEvent['response'];
const RANK: Record<Response, number> = { CLICKED: 2, ACKNOWLEDGED: 2, REPLIED: 3, BOOKED: 4 };

/**
 * One customer's reminder, DESIGN.md SmartEngage step 4: wait for the send window (durable
 * timer) → re-check consent and cap while claiming the contact → compose a safe message →
 * signed deep link → record → send → follow the response until the attribution window closes.
 * Workflow id `reengage-<customer>-<local date>`: one reminder per customer per day, whoever asks.
 */
export async function reengageCustomer(input: ReengagementInput): Promise<ReengagementOutcome> {
  const { workflowId } = workflowInfo();
  const settings = input.settings;
  const activityOptions = { startToCloseTimeout: '30s', retry: activityRetry(settings.retry) } as const;
  const acts = proxyActivities<Activities>(activityOptions);
  // Consecutive database steps merged into one local activity each (claimReminder,
  // recordReminder): two local activities where there were seven, and one patch marker per run
  // instead of three, since this patch implies every earlier one (bench scenario 2, issue 16).
  // Runs recorded before it replay step by step and ask the earlier patches as they did.
  const merged = patched('reengagement-merged-db-steps');
  // Database-only steps run as local activities: no task queue round trip through the server
  // for each (bench scenario 2). The LLM call and the SMTP send stay ordinary activities.
  // Runs recorded before this change replay with ordinary activities.
  const db = merged || patched('reengagement-db-steps-local') ? proxyLocalActivities<Activities>(localDbStepOptions(settings.retry)) : acts;
  const mail = proxyActivities<Activities>({ ...activityOptions, heartbeatTimeout: SEND_HEARTBEAT_TIMEOUT });

  const status: ReengagementStatus = { phase: 'waiting_for_window', messageId: null, response: null };
  const responses: MessageResponseEvent[] = [];
  setHandler(reengagementStatusQuery, () => status);
  setHandler(messageResponseSignal, (event) => {
    responses.push(event);
  });
  const approvals = new ApprovalGate();

  const report = async (outcome: ReengagementOutcome): Promise<ReengagementOutcome> => {
    if (input.reportTo) {
      try {
        await getExternalWorkflowHandle(input.reportTo).signal(reengagementOutcomeSignal, outcome);
      } catch {
        // the campaign has already closed; its row holds the counts it saw
      }
    }
    return outcome;
  };
  const skip = async (reason: string) => {
    status.phase = 'done';
    return report({ workflowId, status: 'skipped', reason });
  };

  // An experiment arm changes how the message is written; runs recorded before arms existed have none.
  const arm = input.arm && (merged || patched('experiment-arms')) ? input.arm : undefined;
  const planRequest = {
    customerId: input.customerId,
    windowStart: settings.sendWindowStart,
    windowEnd: settings.sendWindowEnd,
    sendTime: arm?.sendTime ?? settings.sendTime ?? 'window',
    workflowId,
    campaignId: input.campaignId,
  };
  const claimRequest = { customerId: input.customerId, workflowId, capHours: settings.frequencyCapHours, campaignId: input.campaignId };
  const contextRequest = { customerId: input.customerId, serviceId: input.serviceId };
  let reminder: ReminderContext;
  if (merged) {
    let step = await db.claimReminder({ plan: planRequest, claim: claimRequest, context: contextRequest });
    if (step.waitMs > 0) {
      await sleep(step.waitMs);
      step = await db.claimReminder({ claim: claimRequest, context: contextRequest });
    }
    // a step that did not ask for a wait has claimed (or says why not), and loaded the context when it claimed
    const claim = step.claim!;
    if (!claim.claimed) return skip(claim.reason);
    status.phase = 'composing';
    reminder = step.reminder!;
  } else {
    const plan = await db.planSendWindow(planRequest);
    if (plan.waitMs > 0) await sleep(plan.waitMs);

    const claim = await db.claimContactSlot(claimRequest);
    if (!claim.claimed) return skip(claim.reason);

    status.phase = 'composing';
    reminder = await db.loadReminderContext(contextRequest);
  }
  // The campaign's approved promotion is part of what the draft may say (the offers rule allows
  // an offer only when it matches it). Only the compose activities' input changes, not the
  // commands, so runs recorded before replay unchanged (src/workflows/README.md).
  let composed = await composeSafeMessage(
    { agent: 'smartengage', messageType: 'REMINDER', locale: reminder.locale, context: withApprovedPromotion(reminder.context, settings), ...(arm?.promptVersion ? { promptVersion: arm.promptVersion } : {}) },
    { llmRetry: { initialIntervalMs: settings.retry.initialIntervalMs }, templateOnly: arm?.kind === 'template', checksLocal: merged },
  );
  const linkRequest = { customerId: input.customerId, serviceId: input.serviceId, workflowId, ttlHours: settings.deepLinkTtlHours, promoCode: settings.promoCode };
  const messageRequest = (messageId: string, message: ComposedMessage) => ({
    idempotencyKey: `${workflowId}:reminder`,
    messageId,
    userId: input.customerId,
    role: 'CUSTOMER' as const,
    agent: 'smartengage' as const,
    channel: 'EMAIL' as const,
    messageType: 'REMINDER' as const,
    locale: reminder.locale,
    composed: message,
    campaignId: input.campaignId,
    correlationId: input.correlationId,
    workflowId,
  });
  // merged: the gate opens in the same local activity that records the message when it need not wait
  let recordedId: string | undefined;
  const openGate = merged
    ? async (approval: OpenApprovalInput) => {
        const recorded = await db.recordReminder({ approval, link: linkRequest, message: messageRequest(approval.messageId, composed) });
        recordedId = recorded.messageId;
        return recorded.gate ?? { wait: false as const };
      }
    : undefined;
  // A canary version's or a flagged draft waits for an operator (runs recorded before the gate replay without it).
  let reviewedId: string | undefined;
  if (merged || patched('reminder-approval-gate')) {
    const reviewed = await approvals.review(input, reminder, composed, db, status, openGate);
    composed = reviewed.composed;
    reviewedId = reviewed.messageId;
    if (reviewed.waited) {
      // a decision can come at any hour: the reminder still goes out inside the send window
      status.phase = 'waiting_for_window';
      const again = await db.planSendWindow({
        customerId: input.customerId,
        windowStart: settings.sendWindowStart,
        windowEnd: settings.sendWindowEnd,
        sendTime: arm?.sendTime ?? settings.sendTime ?? 'window',
        // the claim taken before the wait must last until this reminder is recorded and sent
        holdClaim: { workflowId, capHours: settings.frequencyCapHours },
      });
      if (again.waitMs > 0) await sleep(again.waitMs);
      status.phase = 'composing';
    }
  }
  let messageId: string;
  if (merged) {
    // recorded with the gate, or (after a decision) the link, the message and the link tied to it in one step
    messageId = recordedId ?? (await db.recordReminder({ link: linkRequest, message: messageRequest(reviewedId!, composed) })).messageId!;
    status.messageId = messageId;
  } else {
    const link = await db.createReminderDeepLink(linkRequest);
    ({ messageId } = await db.recordMessage({
      idempotencyKey: `${workflowId}:reminder`,
      ...(reviewedId ? { messageId: reviewedId } : {}),
      userId: input.customerId,
      role: 'CUSTOMER',
      agent: 'smartengage',
      channel: 'EMAIL',
      messageType: 'REMINDER',
      locale: reminder.locale,
      composed,
      deepLink: link.url,
      campaignId: input.campaignId,
      correlationId: input.correlationId,
      workflowId,
    }));
    status.messageId = messageId;
    await db.attachReminderDeepLink({ tokenId: link.tokenId, messageId });
  }

  status.phase = 'sending';
  try {
    await mail.sendMessageEmail({ messageId, marketing: true });
  } catch (error) {
    const reason = failureMessage(error);
    await db.markMessageFailed({ messageId, error: reason });
    status.phase = 'done';
    return report({ workflowId, status: 'failed', reason, messageId });
  }
  await report({ workflowId, status: 'sent', messageId });

  status.phase = 'awaiting_response';
  const response = await followResponses(messageId, settings.attributionWindowSeconds * 1000, responses, db, status);
  status.phase = 'done';
  return { workflowId, status: 'sent', messageId, response };
}

/**
 * Records each response signal as it comes (a click, then perhaps a booking) until a booking
 * or the end of the attribution window; silence for the whole window is recorded as IGNORED.
 */
async function followResponses(
  messageId: string,
  windowMs: number,
  responses: MessageResponseEvent[],
  acts: Pick<Activities, 'recordMessageResponse'>,
  status: ReengagementStatus,
): Promise<string> {
  const deadline = Date.now() + windowMs;
  let handled = 0;
  let best: Response | null = null;
  while (best !== 'BOOKED') {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || !(await condition(() => responses.length > handled, remaining))) break;
    while (handled < responses.length) {
      const event = responses[handled++];
      if (event.messageId !== messageId) continue;
      await acts.recordMessageResponse(event);
      if (!best || RANK[event.response] > RANK[best]) best = event.response;
      status.response = best;
    }
  }
  if (best) return best;
  await acts.recordMessageResponse({ messageId, response: 'IGNORED', at: new Date().toISOString() });
  status.response = 'IGNORED';
  return 'IGNORED';
}

/** The root cause of a failed activity (e.g. the SMTP error), for `ai_messages.error`. */
function failureMessage(error: unknown): string {
  let cause: unknown = error;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message.slice(0, 500);
  return String(cause).slice(0, 500);
}
