import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database';
import type { Locale, MessageType, PromptTemplate } from '../db/types';
import { fillPlaceholders, missingPlaceholders } from './placeholders';
import type { DraftRequest, MessageDraft, PromptContext } from './types';

/**
 * The one active prompt version for (agent, message type, locale), or the version the request
 * names (an experiment arm); a missing one is a setup error.
 */
export async function loadActiveTemplate(db: Db, req: Pick<DraftRequest, 'agent' | 'messageType' | 'locale' | 'promptVersion'>): Promise<PromptTemplate> {
  let query = db
    .selectFrom('prompt_templates')
    .selectAll()
    .where('agent_type', '=', req.agent)
    .where('message_type', '=', req.messageType)
    .where('locale', '=', req.locale);
  query = req.promptVersion === undefined ? query.where('is_active', '=', true) : query.where('version', '=', req.promptVersion);
  const template = await query.executeTakeFirst();
  if (!template) {
    throw ApplicationFailure.create({
      type: 'PromptTemplateMissing',
      message: `no ${req.promptVersion === undefined ? 'active prompt template' : `prompt template version ${req.promptVersion}`} for ${req.agent}/${req.messageType}/${req.locale}`,
      nonRetryable: true,
    });
  }
  return template;
}

/**
 * The button label of the approved template. Templates carry subject and text; the label is a
 * short fixed phrase per message type, so it lives here rather than in every template version.
 */
const CALL_TO_ACTION: Record<MessageType, Record<Locale, string>> = {
  REMINDER: { bn: 'এখনই বুক করুন', en: 'Book now' },
  UPSELL: { bn: 'বিস্তারিত দেখুন', en: 'See details' },
  COACHING: { bn: 'বুঝেছি', en: 'Got it' },
  BURNOUT_CHECK: { bn: 'উত্তর দিন', en: 'Answer' },
};

export function templateCallToAction(messageType: MessageType, locale: Locale): string {
  return CALL_TO_ACTION[messageType][locale];
}

const BENGALI_DIGITS = '০১২৩৪৫৬৭৮৯';

/** Numbers in a Bengali text read naturally in Bengali digits ("৩০ দিন", not "30 দিন"). */
function withBengaliNumerals(context: PromptContext): PromptContext {
  return Object.fromEntries(
    Object.entries(context).map(([key, value]) => [key, typeof value === 'number' ? String(value).replace(/\d/g, (d) => BENGALI_DIGITS[Number(d)]) : value]),
  );
}

/**
 * The approved template filled in. A context that lacks a value the template needs is a caller
 * bug: failing loudly beats sending "Dear {{first_name}}" (the safety check would stop it anyway).
 */
export function renderTemplate(template: PromptTemplate, req: DraftRequest): MessageDraft {
  const missing = missingPlaceholders(`${template.fallback_subject}\n${template.fallback_text}`, req.context);
  if (missing.length > 0) {
    throw ApplicationFailure.create({
      type: 'PromptContextIncomplete',
      message: `template ${template.agent_type}/${template.message_type}/${template.locale} v${template.version} needs context: ${missing.join(', ')}`,
      nonRetryable: true,
    });
  }
  const context = req.locale === 'bn' ? withBengaliNumerals(req.context) : req.context;
  return {
    subject: fillPlaceholders(template.fallback_subject, context),
    body: fillPlaceholders(template.fallback_text, context),
    call_to_action: templateCallToAction(req.messageType, req.locale),
  };
}
