import type OpenAI from 'openai';
import type { SafetyCheckResult, SafetyRequest, SafetyVerdict } from '../messaging/types';
import { judgeDraft } from './judge';
import type { JudgePrompt } from './judge-prompt';
import { moderationCheck } from './moderation';
import { runLocalRules } from './rules';
import { draftText } from './text';

export interface SafetyJudgeSettings {
  /** The judge's model; null turns the judge off. */
  model: string | null;
  /** The judge prompt version to use for a locale: the active one (activities) or the one previewed. */
  prompt?: (locale: SafetyRequest['locale']) => Promise<JudgePrompt | null>;
}

/**
 * The full safety verdict on a draft: every local rule, the provider's moderation and the LLM
 * judge when a client is configured. Safe only when every check that ran passed (a skipped
 * check does not block). The rules decide first and finally: the judge is asked only when they
 * all passed, and only about model-written drafts (the approved template is not second-guessed).
 */
export async function checkDraftSafety(client: OpenAI | null, req: SafetyRequest, judge: SafetyJudgeSettings = { model: null }): Promise<SafetyVerdict> {
  const checks: SafetyCheckResult[] = [
    ...runLocalRules(req.draft, req.locale, req.allowedNames, { context: req.context, agent: req.agent, messageType: req.messageType }),
    ...(client ? [await moderationCheck(client, draftText(req.draft))] : []),
  ];
  if (client && judge.model && judge.prompt) checks.push(await secondOpinion(client, { model: judge.model, prompt: judge.prompt }, req, checks));
  return { safe: checks.every((c) => c.passed), checks };
}

async function secondOpinion(client: OpenAI, judge: { model: string; prompt: NonNullable<SafetyJudgeSettings['prompt']> }, req: SafetyRequest, checks: SafetyCheckResult[]): Promise<SafetyCheckResult> {
  if (checks.some((c) => !c.passed)) return { name: 'judge', passed: true, skipped: true, detail: 'skipped: the rules already rejected the draft' };
  if (req.source === 'template') return { name: 'judge', passed: true, skipped: true, detail: 'skipped: the approved template' };
  let prompt: JudgePrompt | null;
  try {
    prompt = await judge.prompt(req.locale);
  } catch (error) {
    // like any judge outage: recorded, never blocking a draft the rules passed
    return { name: 'judge', passed: true, skipped: true, detail: `skipped: the judge prompt could not be read: ${(error as Error).message}`.slice(0, 300) };
  }
  if (!prompt) return { name: 'judge', passed: true, skipped: true, detail: `skipped: no active judge prompt for ${req.locale}` };
  return judgeDraft(client, judge.model, prompt, { draft: req.draft, locale: req.locale, agent: req.agent, context: req.context });
}
