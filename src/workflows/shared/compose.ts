import { ActivityFailure, ApplicationFailure, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { SafetyChecks } from '../../db/types';
import type { MessagingActivities } from '../../activities/messaging';
import type { ComposedMessage, DraftRequest, GeneratedDraft, SafetyCheckResult, SafetyVerdict } from '../../messaging/types';

export interface ComposeOptions {
  /** Retries of the LLM call before the template takes over (default 3 attempts, 1 s, backoff 2). */
  llmRetry?: { maximumAttempts?: number; initialIntervalMs?: number };
  /** Upper bound of one LLM call, above OPENAI_TIMEOUT_MS (default 60 s). */
  llmStartToCloseTimeoutMs?: number;
  /** The approved template only, no LLM call (an experiment's `template` arm). */
  templateOnly?: boolean;
  /**
   * The caller's own patch already implies local safety checks (the re-engagement run's
   * `reengagement-merged-db-steps`): no `compose-checks-local` marker is recorded for them.
   */
  checksLocal?: boolean;
}

export type ComposeRequest = DraftRequest & { allowedNames?: string[] };

/** Names a message may carry in another script: the recipient's and the service's, from the context. */
function namesFromContext(req: ComposeRequest): string[] {
  const names = [req.context.first_name, req.context.service_name].filter((v): v is string => typeof v === 'string');
  return [...(req.allowedNames ?? []), ...names];
}

/** Matches TEMPLATE_MODEL in src/messaging/drafts.ts (not imported: workflow code stays free of activity modules). */
const TEMPLATE_MODEL = 'template';

const failedNames = (checks: SafetyCheckResult[]) => checks.filter((c) => !c.passed).map((c) => c.name);

/**
 * Writes a message both agents can send safely. Draft (LLM, retried with backoff) → safety
 * check → on rejection one regeneration told what to avoid → on a second rejection, or when the
 * LLM stays unavailable, the approved template → checked too. Never returns an unsafe text:
 * if even the template fails, it throws a non-retryable failure. The returned `safetyChecks`
 * is what `recordMessage` stores: the final verdict plus every rejected attempt.
 */
export async function composeSafeMessage(req: ComposeRequest, options: ComposeOptions = {}): Promise<ComposedMessage> {
  const { allowedNames: _ignored, ...draftRequest } = req;
  const llm = proxyActivities<MessagingActivities>({
    startToCloseTimeout: options.llmStartToCloseTimeoutMs ?? 60_000,
    retry: {
      maximumAttempts: options.llmRetry?.maximumAttempts ?? 3,
      initialInterval: options.llmRetry?.initialIntervalMs ?? 1000,
      backoffCoefficient: 2,
    },
  });
  // The safety check and the template are pure CPU: local activities, no server round trip.
  // Messages composed before this change replay with ordinary activities.
  const cheapOptions = { startToCloseTimeout: 30_000, retry: { maximumAttempts: 5, initialInterval: 1000, backoffCoefficient: 2 } };
  const local = options.checksLocal || patched('compose-checks-local')
    ? proxyLocalActivities<MessagingActivities>(cheapOptions)
    : proxyActivities<MessagingActivities>(cheapOptions);
  const allowedNames = namesFromContext(req);
  const rejected: NonNullable<SafetyChecks['rejected']> = [];
  let attempts = 0;

  const draftOrTemplate = async (request: DraftRequest): Promise<GeneratedDraft> => {
    try {
      return await llm.generateDraft(request);
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return local.renderTemplateDraft({ ...draftRequest, reason: 'llm_unavailable' });
    }
  };
  const check = async (generated: GeneratedDraft): Promise<SafetyVerdict> => {
    attempts++;
    // The context lets the rules ground the draft and recognise the approved promotion; it only
    // changes the activity's input, not the workflow's commands, so recorded histories replay.
    const verdict = await local.checkSafety({
      draft: generated.draft,
      locale: req.locale,
      allowedNames,
      agent: req.agent,
      messageType: req.messageType,
      context: req.context,
      source: generated.model === TEMPLATE_MODEL ? 'template' : 'model',
    });
    if (!verdict.safe) rejected.push({ attempt: attempts, failed: failedNames(verdict.checks), checks: verdict.checks.filter((c) => !c.passed) });
    return verdict;
  };
  const composed = (generated: GeneratedDraft, verdict: SafetyVerdict): ComposedMessage => {
    const safetyChecks: SafetyChecks = { safe: true, checks: verdict.checks, attempts, rejected };
    if (generated.fallbackReason) safetyChecks.fallback_reason = generated.fallbackReason;
    if (generated.fallbackDetail) safetyChecks.fallback_detail = generated.fallbackDetail;
    return { ...generated, safetyChecks };
  };

  const noSafeMessage = (verdict: SafetyVerdict) =>
    ApplicationFailure.create({
      type: 'NoSafeMessage',
      message: `no safe ${req.agent}/${req.messageType}/${req.locale} message: the approved template failed ${failedNames(verdict.checks).join(', ')}`,
      nonRetryable: true,
      details: [rejected],
    });

  if (options.templateOnly) {
    const template = await local.renderTemplateDraft({ ...draftRequest, reason: 'experiment_template_arm' });
    const verdict = await check(template);
    if (verdict.safe) return composed(template, verdict);
    throw noSafeMessage(verdict);
  }

  const first = await draftOrTemplate(draftRequest);
  const firstVerdict = await check(first);
  if (firstVerdict.safe) return composed(first, firstVerdict);
  // The template is the last resort: if it fails there is nothing safer to fall back to.
  if (first.model === TEMPLATE_MODEL) throw noSafeMessage(firstVerdict);

  const second = await draftOrTemplate({ ...draftRequest, avoid: failedNames(firstVerdict.checks) });
  const secondVerdict = await check(second);
  if (secondVerdict.safe) return composed(second, secondVerdict);
  if (second.model === TEMPLATE_MODEL) throw noSafeMessage(secondVerdict);

  const template = await local.renderTemplateDraft({ ...draftRequest, reason: 'safety_rejected' });
  const templateVerdict = await check(template);
  if (templateVerdict.safe) return composed(template, templateVerdict);
  throw noSafeMessage(templateVerdict);
}
