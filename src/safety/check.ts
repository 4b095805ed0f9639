import type OpenAI from 'openai';
import type { SafetyRequest, SafetyVerdict } from '../messaging/types';
import { moderationCheck } from './moderation';
import { runLocalRules } from './rules';
import { draftText } from './text';

/**
 * The full safety verdict on a draft: every local rule, plus the provider's moderation when a
 * client is configured. Safe only when every check that ran passed (a skipped check does not block).
 */
export async function checkDraftSafety(client: OpenAI | null, req: SafetyRequest): Promise<SafetyVerdict> {
  const checks = [
    ...runLocalRules(req.draft, req.locale, req.allowedNames),
    ...(client ? [await moderationCheck(client, draftText(req.draft))] : []),
  ];
  return { safe: checks.every((c) => c.passed), checks };
}
