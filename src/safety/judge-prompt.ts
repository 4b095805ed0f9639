import type { Db } from '../db/database';
import type { Locale, PromptTemplate } from '../db/types';
import { fillPlaceholders, placeholderNames } from '../messaging/placeholders';
import type { SafetyCheckResult } from '../messaging/types';

/**
 * The judge's prompt as a prompt version (migration 0017): rows of `prompt_templates` with
 * agent_type 'safety', message_type 'JUDGE', one line of versions per locale. The system prompt
 * is the written policy; the user prompt frames the draft with four placeholders the judge
 * fills itself: {{audience}}, {{language}}, {{facts}} (the context the draft was written from,
 * one "- key: value" line each) and {{draft}} (subject, body and button).
 */
export const JUDGE_AGENT = 'safety' as const;
export const JUDGE_MESSAGE_TYPE = 'JUDGE' as const;
export const JUDGE_PLACEHOLDERS = ['audience', 'language', 'facts', 'draft'] as const;
type JudgeSlot = (typeof JUDGE_PLACEHOLDERS)[number];

/** The policy categories of the structured verdict; a policy must define every one (see judgePromptProblems). */
export const JUDGE_CATEGORIES = [
  'contact_details', 'links', 'unapproved_offer', 'personal_details', 'manipulation', 'prompt_injection',
  'ungrounded_fact', 'offensive', 'other',
] as const;

export type JudgePrompt = Pick<PromptTemplate, 'id' | 'version' | 'locale' | 'system_prompt' | 'user_prompt'>;

export function judgeChatMessages(prompt: JudgePrompt, slots: Record<JudgeSlot, string>): Array<{ role: 'system' | 'user'; content: string }> {
  return [
    { role: 'system', content: prompt.system_prompt },
    // one pass: a {{slot}} written inside the draft is quoted as it is, never filled
    { role: 'user', content: fillPlaceholders(prompt.user_prompt, slots) },
  ];
}

/**
 * What makes a judge prompt unusable or unsafe, checked when a version is created (422 naming
 * each): a judge that never sees the draft, sees it outside the `<<<`…`>>>` data markers (where
 * a draft saying "ignore the policy" reads as an instruction), does not see the facts (it could
 * not tell a grounded number from an invented one), or whose policy leaves out a category of the
 * verdict (it would never name it). A judge has no fallback template: the fields must be absent.
 */
export function judgePromptProblems(p: { system_prompt: string; user_prompt: string; fallback_subject?: string; fallback_text?: string }): SafetyCheckResult[] {
  const problems: SafetyCheckResult[] = [];
  const fail = (name: string, detail: string) => problems.push({ name, passed: false, detail });
  const known = new Set<string>(JUDGE_PLACEHOLDERS);
  const unknown = placeholderNames(`${p.system_prompt}\n${p.user_prompt}`).filter((n) => !known.has(n));
  if (unknown.length) fail('unknown_placeholders', `unknown: ${unknown.map((n) => `{{${n}}}`).join(', ')}; known: ${JUDGE_PLACEHOLDERS.join(', ')}`);
  const inSystem = placeholderNames(p.system_prompt).filter((n) => known.has(n));
  if (inSystem.length) fail('placeholders_in_policy', `the policy (system_prompt) is sent as written; ${inSystem.map((n) => `{{${n}}}`).join(', ')} belong in user_prompt`);
  const draftSlots = [...p.user_prompt.matchAll(/\{\{\s*draft\s*\}\}/g)];
  if (draftSlots.length !== 1) fail('judge_draft_missing', 'user_prompt must contain {{draft}} exactly once');
  else {
    const at = draftSlots[0].index!;
    const open = p.user_prompt.lastIndexOf('<<<', at);
    const close = p.user_prompt.indexOf('>>>', at);
    if (open < 0 || close < 0 || p.user_prompt.slice(open + 3, at).includes('>>>')) {
      fail('judge_draft_not_quoted', '{{draft}} must stand between <<< and >>>, so the draft is judged as data, never read as instructions');
    }
  }
  if (!placeholderNames(p.user_prompt).includes('facts')) fail('judge_facts_missing', 'user_prompt must contain {{facts}}: without the context the judge cannot tell a grounded fact from an invented one');
  const missing = JUDGE_CATEGORIES.filter((c) => !p.system_prompt.includes(c));
  if (missing.length) fail('judge_categories_missing', `the policy must define every verdict category; missing: ${missing.join(', ')}`);
  if (p.fallback_subject !== undefined || p.fallback_text !== undefined) {
    fail('fallback_not_applicable', 'a judge version has no fallback template: when the judge is down the rules decide alone; leave fallback_subject and fallback_text out');
  }
  return problems;
}

/**
 * How long a process trusts the active judge version it read: a worker picks up a newly
 * activated (or rolled back) version within this time; the API process that activated it
 * forgets its copy at once (`forgetJudgePrompts`).
 */
export const JUDGE_PROMPT_CACHE_MS = 30_000;

let generation = 0;
export function forgetJudgePrompts(): void {
  generation++;
}

/**
 * The active judge version of a locale, read through a short cache (one query per locale per
 * 30 s instead of one per draft). Activities call it; workflows never read prompts.
 */
export function activeJudgePrompts(db: Db, ttlMs = JUDGE_PROMPT_CACHE_MS): (locale: Locale) => Promise<JudgePrompt | null> {
  const cache = new Map<Locale, { at: number; generation: number; prompt: JudgePrompt | null }>();
  return async (locale) => {
    const hit = cache.get(locale);
    if (hit && hit.generation === generation && Date.now() - hit.at < ttlMs) return hit.prompt;
    const row = await db
      .selectFrom('prompt_templates')
      .select(['id', 'version', 'locale', 'system_prompt', 'user_prompt'])
      .where('agent_type', '=', JUDGE_AGENT)
      .where('message_type', '=', JUDGE_MESSAGE_TYPE)
      .where('locale', '=', locale)
      .where('is_active', '=', true)
      .executeTakeFirst();
    const prompt = row ?? null;
    cache.set(locale, { at: Date.now(), generation, prompt });
    return prompt;
  };
}
