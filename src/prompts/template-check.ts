import type OpenAI from 'openai';
import type { Locale, MessageType } from '../db/types';
import { fillPlaceholders, placeholderNames } from '../messaging/placeholders';
import { templateCallToAction } from '../messaging/templates';
import type { SafetyCheckResult } from '../messaging/types';
import { checkDraftSafety } from '../safety/check';
import { demoContext, knownPlaceholders } from './demo-context';

export interface TemplateText {
  message_type: MessageType;
  locale: Locale;
  user_prompt: string;
  fallback_subject: string;
  fallback_text: string;
}

/**
 * The fallback template is the last resort a workflow sends without review, so a version is
 * refused at creation unless its template, filled with the demo context, passes the same safety
 * check every message passes, and every `{{placeholder}}` in it and in the user prompt is one
 * the message type's context fills. Returns the failed checks (empty: acceptable).
 */
export async function failedTemplateChecks(moderation: OpenAI | null, version: TemplateText): Promise<SafetyCheckResult[]> {
  const known = new Set(knownPlaceholders(version.message_type));
  const used = placeholderNames(`${version.user_prompt}\n${version.fallback_subject}\n${version.fallback_text}`);
  const unknown = used.filter((name) => !known.has(name));
  const context = demoContext(version.message_type, version.locale);
  const draft = {
    subject: fillPlaceholders(version.fallback_subject, context),
    body: fillPlaceholders(version.fallback_text, context),
    call_to_action: templateCallToAction(version.message_type, version.locale),
  };
  const names = [context.first_name, context.service_name].filter((v): v is string => typeof v === 'string');
  const verdict = await checkDraftSafety(moderation, { draft, locale: version.locale, allowedNames: names });
  const failed = verdict.checks.filter((c) => !c.passed);
  if (unknown.length > 0) {
    failed.push({ name: 'unknown_placeholders', passed: false, detail: `unknown: ${unknown.map((n) => `{{${n}}}`).join(', ')}; known: ${[...known].join(', ')}` });
  }
  return failed;
}
