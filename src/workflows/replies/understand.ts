import { getExternalWorkflowHandle, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ReplyIntent } from '../../db/types';
import { checkInSignal } from '../coachnova/definitions';
import type { UnderstandReplyInput } from './definitions';

const acts = proxyActivities<Activities>({
  // the classifier calls the LLM; a failing LLM is handled inside (the rules decide), so a
  // retry here is for the database
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

/**
 * What a reply means and what follows from it. A new workflow type (not a change to the
 * reminder or coaching workflows), so no running history changes: the message's own workflow
 * still gets its `messageResponse` signal (REPLIED) as before, and this run reads the reply:
 *
 * - classify (rules, then the LLM) and store the intent;
 * - `opt_out`: marketing consent off at once — every reminder still waiting re-checks consent
 *   when it claims its contact slot and again at the send, so none goes out;
 * - a worker's worried reply to a CoachNova message: a check-in signal to their session (the
 *   burnout score counts it like an answered check-in);
 * - the reply and its intent on the customer's timeline and in /metrics; a complaint is then in
 *   the operators' queue (`GET /internal/replies?intent=complaint`).
 */
export async function understandReply(input: UnderstandReplyInput): Promise<{ intent: ReplyIntent }> {
  const understood = await acts.classifyStoredReply({ replyId: input.replyId });
  if (understood.intent === 'opt_out') await acts.revokeConsentForReply({ replyId: input.replyId });
  if (understood.checkIn) {
    try {
      await getExternalWorkflowHandle(understood.checkIn.workflowId).signal(checkInSignal, {
        score: understood.checkIn.score,
        text: null,
        at: understood.checkIn.at,
        ...(input.correlationId ? { correlation_id: input.correlationId } : {}),
      });
    } catch (error) {
      // the session has ended (no session, nothing to score); the reply is still recorded
      if (isCancellation(error)) throw error;
      log.info('reply: the coaching session was not running; check-in not counted', { replyId: input.replyId });
    }
  }
  await acts.recordReplyOutcome({ replyId: input.replyId });
  return { intent: understood.intent };
}
