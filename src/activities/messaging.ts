import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import { emailAcceptToRecord, emailSentMailboxUnavailable, emailUnknownOutcomeConfirmed, emailUnknownOutcomeResends, llmFallbacks, messagesFailed, messagesSent, safetyRejections } from '../lib/metrics';
import { markMessageFailed, sendMessageEmail, type AttemptContext, type SendMessageEmailInput } from '../messaging/delivery';
import { generateDraft, templateDraft } from '../messaging/drafts';
import { recordMessage } from '../messaging/record';
import type { ResponseEvent } from '../messaging/responses';
import type { DraftRequest, GeneratedDraft, RecordMessageInput, SafetyRequest, SafetyVerdict } from '../messaging/types';
import { checkDraftSafety } from '../safety/check';
import { activeJudgePrompts } from '../safety/judge-prompt';
import { recordMessageDecision } from '../smartengage/decisions';
import { composedFacts } from '../smartengage/decision-facts';
import { storeMessageResponse } from '../smartengage/store-response';

/**
 * The shared message pipeline, as activities both agents use: draft → safety → record → send →
 * response. Workflows reach them through `composeSafeMessage` (src/workflows/shared/compose.ts)
 * and `proxyActivities`; the logic lives in src/messaging, src/llm, src/safety and src/email.
 */
export function createMessagingActivities(deps: ActivityDeps) {
  const { config, db, mailer, logger, openai, sentMailbox } = deps;
  const log = logger.child({ component: 'messaging' });
  const judgeModel = config.SAFETY_JUDGE_MODEL === 'off' ? null : (config.SAFETY_JUDGE_MODEL ?? config.OPENAI_MODEL);
  // the active judge prompt version per locale, read from prompt_templates through a short cache
  const judgePrompt = activeJudgePrompts(db);

  const countFallback = (req: DraftRequest, draft: GeneratedDraft) => {
    if (!draft.fallbackReason) return;
    llmFallbacks.inc({ agent: req.agent, reason: draft.fallbackReason });
    const fields = { ...runningWorkflow(), agent: req.agent, messageType: req.messageType, reason: draft.fallbackReason, detail: draft.fallbackDetail };
    log.warn(fields, 'using the approved template');
  };

  return {
    /**
     * A draft from the active prompt version: the model's structured answer, or the approved
     * template (with fallbackReason) when no model is configured or its answer is unusable.
     * Throws on rate limits, server errors and timeouts so Temporal retries with backoff.
     */
    async generateDraft(req: DraftRequest): Promise<GeneratedDraft> {
      const draft = await generateDraft(db, { client: openai, model: config.OPENAI_MODEL }, req);
      countFallback(req, draft);
      return draft;
    },

    /** The approved template filled in, labelled model "template": the model is out, or a draft was rejected. */
    async renderTemplateDraft(req: DraftRequest & { reason: string; templateId?: string }): Promise<GeneratedDraft> {
      const { reason, templateId, ...draftRequest } = req;
      const draft = await templateDraft(db, draftRequest, reason, templateId);
      countFallback(draftRequest, draft);
      return draft;
    },

    /**
     * Local rules, provider moderation and the LLM judge (each skipped, not failed, when its
     * service is down). Rules reject first and finally; the judge is a second opinion.
     */
    async checkSafety(req: SafetyRequest): Promise<SafetyVerdict> {
      const verdict = await checkDraftSafety(openai, req, { model: judgeModel, prompt: judgePrompt });
      for (const check of verdict.checks.filter((c) => !c.passed)) {
        safetyRejections.inc({ agent: req.agent ?? 'unknown', check: check.name });
      }
      return verdict;
    },

    /** Stores the composed message as PENDING, once per idempotency key. */
    async recordMessage(input: RecordMessageInput): Promise<{ messageId: string }> {
      const recorded = await recordMessage(db, input);
      await recordMessageDecision(db, recorded.messageId, 'composed', input.composed.fallbackReason ?? null, composedFacts(input.composed));
      return recorded;
    },

    /**
     * Emails a recorded message once. After an attempt whose outcome is unknown it is recorded
     * SENT from its copy in the Sent mailbox when SENT_MAILBOX_URL finds one, else sent again with
     * the same Message-ID (src/messaging/delivery.ts); SMTP errors propagate for Temporal to retry.
     */
    async sendMessageEmail(
      input: SendMessageEmailInput,
    ): Promise<{ deliveryStatus: 'SENT' | 'DELIVERED'; providerMessageId: string; alreadySent: boolean }> {
      const result = await sendMessageEmail({ config, db, mailer, sentMailbox }, input, attemptContext());
      const labels = { agent: result.agent, message_type: result.messageType };
      if (!result.alreadySent) messagesSent.inc({ ...labels, channel: 'EMAIL' });
      if (result.acceptToRecordMs !== undefined) emailAcceptToRecord.observe(result.acceptToRecordMs / 1000);
      if (result.confirmedFromSentMailbox) {
        emailUnknownOutcomeConfirmed.inc(labels);
        log.info({ ...runningWorkflow(), messageId: input.messageId }, 'an attempt whose outcome was unknown did send it: found in the Sent mailbox, recorded SENT without sending again');
      }
      if (result.sentMailboxUnavailable) {
        emailSentMailboxUnavailable.inc({ problem: result.sentMailboxUnavailable.problem });
        log.warn(
          { ...runningWorkflow(), messageId: input.messageId, sentMailbox: sentMailbox?.description, problem: result.sentMailboxUnavailable.problem, detail: result.sentMailboxUnavailable.detail },
          'the Sent mailbox could not be asked whether an earlier attempt sent this email, so it was sent again',
        );
      }
      if (result.resendAfterUnknownOutcome) {
        emailUnknownOutcomeResends.inc(labels);
        log.warn({ ...runningWorkflow(), messageId: input.messageId }, 'sent again after an attempt whose outcome is unknown: the recipient may have two copies (same Message-ID)');
      }
      await recordMessageDecision(db, input.messageId, 'sent', null, { delivery_status: result.deliveryStatus, channel: 'EMAIL', marketing: input.marketing });
      return { deliveryStatus: result.deliveryStatus, providerMessageId: result.providerMessageId, alreadySent: result.alreadySent };
    },

    /** FAILED with the error, after the workflow's last retry; a message already sent stays SENT. */
    async markMessageFailed(input: { messageId: string; error: string }): Promise<void> {
      const changed = await markMessageFailed(db, input);
      if (changed) messagesFailed.inc({ agent: changed.agent_type, message_type: changed.message_type });
      await recordMessageDecision(db, input.messageId, 'failed', 'delivery_failed', { error: input.error });
    },

    /** Records a response unless a stronger one is already stored (see RESPONSE_RANK). */
    async recordMessageResponse(event: ResponseEvent): Promise<{ applied: boolean }> {
      return storeMessageResponse(db, event);
    },
  };
}

/** Heartbeats and cancellation of the running activity; inert outside a worker (tests, scripts). */
function attemptContext(): AttemptContext | undefined {
  try {
    const context = Context.current();
    return { heartbeat: () => context.heartbeat(), cancelled: context.cancellationSignal };
  } catch {
    return undefined;
  }
}

/** The workflow an activity runs for, for log lines; empty when called outside a worker (tests, scripts). */
function runningWorkflow(): { workflowId?: string; activityAttempt?: number } {
  try {
    const { workflowExecution, attempt } = Context.current().info;
    return { workflowId: workflowExecution?.workflowId, activityAttempt: attempt };
  } catch {
    return {};
  }
}

export type MessagingActivities = ReturnType<typeof createMessagingActivities>;
