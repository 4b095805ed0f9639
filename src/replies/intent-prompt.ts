import { placeholderNames } from '../messaging/placeholders';
import type { SafetyCheckResult } from '../messaging/types';
import { REPLY_INTENTS } from './intent';

/**
 * The reply classifier's prompt as a prompt version (migration 0018): rows of `prompt_templates`
 * with agent_type 'smartengage', message_type 'REPLY_INTENT', one line of versions in 'en' (one
 * classifier reads replies in every language, and it reads the active row without a locale).
 * The user prompt frames the reply with four placeholders the classifier fills itself (see
 * `classifierMessages`): {{reply_date}}, {{message_type}}, {{message_json}} (the message
 * replied to, as a JSON string) and {{reply_json}} (the reply, as a JSON string).
 */
export const REPLY_INTENT_MESSAGE_TYPE = 'REPLY_INTENT' as const;
export const REPLY_INTENT_LOCALE = 'en' as const;
export const REPLY_INTENT_PLACEHOLDERS = ['reply_date', 'message_type', 'message_json', 'reply_json'] as const;

/**
 * The classifier sends nothing, so it has no fallback template (when the model is down the
 * rules decide). Migration 0017's CHECK wants the columns non-empty for every agent but the
 * judge, so every version stores the seed's fixed values; a request must leave them out.
 */
export const REPLY_INTENT_FALLBACK = { fallback_subject: 'reply intent', fallback_text: 'other' } as const;

/**
 * What makes a classifier prompt unusable or unsafe, checked when a version is created (422
 * naming each): the reply missing, or outside the `<<<REPLY`…`REPLY>>>` data markers (where
 * "ignore previous instructions" reads as an instruction); the reply date or the message replied
 * to missing (dates like "next Friday" could not be resolved, nor a reply read in its context);
 * a placeholder the classifier does not fill, or one in the system prompt (sent as written); a
 * system prompt that does not name every intent (the model would never answer it); another
 * locale than 'en'; fallback fields given.
 */
export function replyIntentPromptProblems(p: { locale: string; system_prompt: string; user_prompt: string; fallback_subject?: string; fallback_text?: string }): SafetyCheckResult[] {
  const problems: SafetyCheckResult[] = [];
  const fail = (name: string, detail: string) => problems.push({ name, passed: false, detail });
  const known = new Set<string>(REPLY_INTENT_PLACEHOLDERS);
  const unknown = placeholderNames(`${p.system_prompt}\n${p.user_prompt}`).filter((n) => !known.has(n));
  if (unknown.length) fail('unknown_placeholders', `unknown: ${unknown.map((n) => `{{${n}}}`).join(', ')}; known: ${REPLY_INTENT_PLACEHOLDERS.join(', ')}`);
  const inSystem = placeholderNames(p.system_prompt).filter((n) => known.has(n));
  if (inSystem.length) fail('placeholders_in_system_prompt', `the system prompt is sent as written; ${inSystem.map((n) => `{{${n}}}`).join(', ')} belong in user_prompt`);
  const replySlots = [...p.user_prompt.matchAll(/\{\{\s*reply_json\s*\}\}/g)];
  if (replySlots.length !== 1) fail('reply_missing', 'user_prompt must contain {{reply_json}} exactly once');
  else {
    const at = replySlots[0].index!;
    const open = p.user_prompt.lastIndexOf('<<<REPLY', at);
    const close = p.user_prompt.indexOf('REPLY>>>', at);
    if (open < 0 || close < 0 || p.user_prompt.slice(open, at).includes('REPLY>>>')) {
      fail('reply_not_quoted', '{{reply_json}} must stand between <<<REPLY and REPLY>>>, so the reply is read as data, never as instructions');
    }
  }
  const used = placeholderNames(p.user_prompt);
  const context = REPLY_INTENT_PLACEHOLDERS.filter((n) => n !== 'reply_json' && !used.includes(n));
  if (context.length) fail('reply_context_missing', `user_prompt must contain ${context.map((n) => `{{${n}}}`).join(', ')}: the classifier resolves dates against the reply date and reads the reply next to the message it answers`);
  const missing = REPLY_INTENTS.filter((intent) => !new RegExp(`\\b${intent}\\b`).test(p.system_prompt));
  if (missing.length) fail('intents_missing', `the system prompt must name every intent; missing: ${missing.join(', ')}`);
  if (p.locale !== REPLY_INTENT_LOCALE) fail('locale_not_supported', `one classifier reads replies in every language: its versions are locale '${REPLY_INTENT_LOCALE}'`);
  if (p.fallback_subject !== undefined || p.fallback_text !== undefined) {
    fail('fallback_not_applicable', 'the classifier sends nothing: when the model is down the rules decide alone; leave fallback_subject and fallback_text out');
  }
  return problems;
}
