import type OpenAI from 'openai';
import type { SafetyCheckResult, SafetyRequest, SafetyVerdict } from '../messaging/types';
import { judgeDraft } from './judge';
import { moderationCheck } from './moderation';
import { runLocalRules } from './rules';
import { draftText } from './text';

export interface SafetyJudgeSettings {
  /** The judge's model; null turns the judge off. */
  model: string | null;
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
  if (client && judge.model) checks.push(await secondOpinion(client, judge.model, req, checks));
  return { safe: checks.every((c) => c.passed), checks };
}

async function secondOpinion(client: OpenAI, model: string, req: SafetyRequest, checks: SafetyCheckResult[]): Promise<SafetyCheckResult> {
  if (checks.some((c) => !c.passed)) return { name: 'judge', passed: true, skipped: true, detail: 'skipped: the rules already rejected the draft' };
  if (req.source === 'template') return { name: 'judge', passed: true, skipped: true, detail: 'skipped: the approved template' };
  return judgeDraft(client, model, { draft: req.draft, locale: req.locale, agent: req.agent, context: req.context });
}
