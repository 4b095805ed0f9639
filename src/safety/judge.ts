import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { MessageDraft, PromptContext, SafetyCheckResult } from '../messaging/types';
import type { AgentType, Locale } from '../db/types';
import { JUDGE_CATEGORIES, judgeChatMessages, type JudgePrompt } from './judge-prompt';
import { safetyCallTimeout } from './moderation';

/**
 * A second opinion from a model, after the rules have passed: does the draft follow the
 * written policy (the active judge prompt version, judge-prompt.ts)? Structured output: safe, the policy categories it breaks,
 * the reasons, and the exact quotes, which are turned into spans of the draft.
 * A judge that is down, slow or answers nonsense never blocks a message the rules passed: the
 * check is recorded as skipped with the error.
 */
export { JUDGE_CATEGORIES };

export const JudgeVerdictSchema = z.object({
  safe: z.boolean(),
  categories: z.array(z.enum(JUDGE_CATEGORIES)),
  reasons: z.array(z.string()),
  quotes: z.array(z.string()).describe('exact passages of the draft that break the policy'),
});
export type JudgeVerdict = z.infer<typeof JudgeVerdictSchema>;

/** The name of the structured-output schema; the local test server routes judge calls by it. */
export const JUDGE_SCHEMA_NAME = 'safety_verdict';

export interface JudgeRequest {
  draft: MessageDraft;
  locale: Locale;
  agent?: AgentType;
  context?: PromptContext;
}

function judgeMessages(prompt: JudgePrompt, req: JudgeRequest): Array<{ role: 'system' | 'user'; content: string }> {
  const audience = req.agent === 'coachnova' ? 'a service worker (coaching tip or check-in)' : 'a customer (booking reminder)';
  const facts = Object.entries(req.context ?? {})
    .map(([key, value]) => `- ${key}: ${String(value).replace(/\s+/g, ' ').slice(0, 300)}`)
    .join('\n');
  return judgeChatMessages(prompt, {
    audience,
    language: req.locale === 'bn' ? 'Bengali' : 'English',
    facts: facts || '- (none)',
    draft: `Subject: ${req.draft.subject}\nBody: ${req.draft.body}\nButton: ${req.draft.call_to_action}`,
  });
}

function spansOf(draft: MessageDraft, quotes: string[]): NonNullable<SafetyCheckResult['spans']> {
  const spans: NonNullable<SafetyCheckResult['spans']> = [];
  for (const quote of quotes.map((q) => q.trim()).filter(Boolean)) {
    for (const field of ['subject', 'body', 'call_to_action'] as const) {
      const at = draft[field].indexOf(quote);
      if (at >= 0) {
        spans.push({ field, start: at, end: at + quote.length, text: quote });
        break;
      }
    }
  }
  return spans;
}

/**
 * Longest wait for a verdict. Moderation and the judge share the safety check's 30 s local
 * activity; bounding both (see SAFETY_CALL_TIMEOUT_MS) keeps a hanging endpoint from timing the
 * whole check out, which would block a message the rules passed.
 */
export async function judgeDraft(client: OpenAI, model: string, prompt: JudgePrompt, req: JudgeRequest): Promise<SafetyCheckResult> {
  const base = { name: 'judge', prompt_version: prompt.version, prompt_id: prompt.id } as const;
  try {
    const completion = await client.chat.completions.parse(
      {
        model,
        messages: judgeMessages(prompt, req),
        response_format: zodResponseFormat(JudgeVerdictSchema, JUDGE_SCHEMA_NAME),
        temperature: 0,
        max_completion_tokens: 400,
      },
      { timeout: safetyCallTimeout(client) },
    );
    const verdict = completion.choices[0]?.message?.parsed;
    if (!verdict) throw new Error(completion.choices[0]?.message?.refusal ?? 'the judge returned no verdict');
    if (verdict.safe) return { ...base, passed: true, model: completion.model || model };
    return {
      ...base,
      passed: false,
      severity: 'high',
      model: completion.model || model,
      categories: verdict.categories,
      detail: `${verdict.categories.join(', ')}: ${verdict.reasons.join('; ')}`.slice(0, 500),
      spans: spansOf(req.draft, verdict.quotes),
    };
  } catch (error) {
    return { ...base, passed: true, skipped: true, detail: `skipped: ${(error as Error).message}`.slice(0, 300) };
  }
}
