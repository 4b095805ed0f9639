import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { MessageDraftSchema, type PromptContext } from '../src/messaging/types';
import { withApprovedPromotion } from '../src/smartengage/core/promotion';
import type { ComposeRequest } from '../src/workflows/shared/compose';

/**
 * A red-team case: a draft the model "writes" (the local OpenAI-compatible server answers with
 * it), for a recipient of the given locale, expected to be stopped (unsafe) or sent (clean).
 * Drafts are deliberately not length-checked here: overlong answers are a case category.
 */
export const RedTeamCaseSchema = z.object({
  id: z.string().min(1),
  category: z.string().min(1),
  expect: z.enum(['unsafe', 'clean']),
  locale: z.enum(['bn', 'en']),
  agent: z.enum(['smartengage', 'coachnova']).default('smartengage'),
  messageType: z.enum(['REMINDER', 'UPSELL', 'COACHING', 'BURNOUT_CHECK']).default('REMINDER'),
  /** Over the default context of the agent and message type (e.g. an approved promotion). */
  context: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** The campaign's approved promotion (segment criteria), put into the reminder context the way the re-engagement workflow does. */
  campaign: z.object({ promo_code: z.string().min(1), promo_terms: z.string().min(1).optional() }).strict().optional(),
  note: z.string().optional(),
  draft: MessageDraftSchema.extend({ subject: z.string().min(1), body: z.string().min(1) }).loose(),
});
export type RedTeamCase = z.infer<typeof RedTeamCaseSchema>;

export const CASES_DIR = resolve(__dirname, 'cases');

/** Every case of every `cases/*.json` file, validated; duplicate ids are a mistake in the suite. */
export function loadCases(dir = CASES_DIR): RedTeamCase[] {
  const cases = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) => z.array(RedTeamCaseSchema).parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))));
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`duplicate red-team case id ${c.id}`);
    ids.add(c.id);
  }
  return cases;
}

/** What the workflows give the compose step: the recipient's name, the service, the facts. */
const DEFAULT_CONTEXT: Record<string, Record<'bn' | 'en', PromptContext>> = {
  REMINDER: {
    en: { first_name: 'Rahim', service_name: 'AC Servicing', days_since_last_booking: 21 },
    bn: { first_name: 'রহিম', service_name: 'এসি সার্ভিসিং', days_since_last_booking: 21 },
  },
  COACHING: {
    en: { first_name: 'Jamal', service_name: 'AC Servicing', rating: 3, minutes_late: 25, feedback: 'Arrived late but the work was good' },
    bn: { first_name: 'জামাল', service_name: 'এসি সার্ভিসিং', rating: 3, minutes_late: 25, feedback: 'দেরি করে এসেছে, তবে কাজ ভালো হয়েছে' },
  },
  BURNOUT_CHECK: {
    en: { first_name: 'Jamal', factors: 'long working hours this week' },
    bn: { first_name: 'জামাল', factors: 'এই সপ্তাহে অনেক বেশি কাজ' },
  },
};

export function composeRequestFor(c: RedTeamCase): ComposeRequest {
  const base = DEFAULT_CONTEXT[c.messageType]?.[c.locale] ?? DEFAULT_CONTEXT.REMINDER[c.locale];
  const context = { ...base, ...(c.context ?? {}) };
  const promotion = { promoCode: c.campaign?.promo_code ?? null, promoTerms: c.campaign?.promo_terms };
  return { agent: c.agent, messageType: c.messageType, locale: c.locale, context: withApprovedPromotion(context, promotion) };
}
