import type { ActivityDeps } from './deps';
import { classifyReply } from '../replies/intent';
import { loadReply, recordReplyOutcome, revokeConsentForReply, storeClassification } from '../replies/store';
import type { ReplyIntent } from '../db/types';

/** What the reply workflow learns from classifying a reply, and what it may act on. */
export interface UnderstoodReply {
  intent: ReplyIntent;
  agent: 'smartengage' | 'coachnova';
  /**
   * A worker's worried reply to a CoachNova message counts as a check-in: the session to signal
   * and the check-in score to give it (see WORRIED_REPLY_CHECK_IN_SCORE).
   */
  checkIn: { workflowId: string; score: number; at: string } | null;
}

/**
 * The score a worried reply counts as (0 = worst, 10 = best). Below the burnout policy's
 * check-in start (7), so it adds to the score, but above its HIGH override (3): a single
 * worded reply, read by a model, should weigh in — not on its own call a supervisor.
 */
export const WORRIED_REPLY_CHECK_IN_SCORE = 4;

/**
 * The reply workflow's activities (src/workflows/replies/understand.ts): classify (rules, then
 * the LLM), revoke consent, put the reply on the timeline. Each is idempotent.
 */
export function createReplyActivities(deps: ActivityDeps) {
  const { db, config, openai, logger } = deps;
  const log = logger.child({ component: 'replies' });
  return {
    /** Classifies a stored reply once; a retry returns what the first attempt stored. */
    async classifyStoredReply(input: { replyId: string }): Promise<UnderstoodReply> {
      const reply = await loadReply(db, input.replyId);
      if (!reply) throw new Error(`no reply ${input.replyId}`);
      let classified = reply.classified;
      if (!classified) {
        const fresh = await classifyReply(db, { client: openai, model: config.OPENAI_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS }, reply);
        if (fresh.error && openai) log.warn({ replyId: reply.replyId, error: fresh.error }, 'reply classified by the rules alone');
        classified = await storeClassification(db, reply.replyId, fresh);
      }
      const worried = reply.agent === 'coachnova' && reply.role === 'WORKER' && classified.mood === 'worried' && reply.messageWorkflowId;
      return {
        intent: classified.intent,
        agent: reply.agent,
        checkIn: worried ? { workflowId: reply.messageWorkflowId!, score: WORRIED_REPLY_CHECK_IN_SCORE, at: reply.receivedAt.toISOString() } : null,
      };
    },

    async revokeConsentForReply(input: { replyId: string }): Promise<{ found: boolean }> {
      const { found } = await revokeConsentForReply(db, input.replyId);
      return { found };
    },

    async recordReplyOutcome(input: { replyId: string }): Promise<void> {
      await recordReplyOutcome(db, input.replyId);
    },
  };
}
