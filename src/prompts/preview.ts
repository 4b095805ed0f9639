import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { AgentType, Locale, MessageType, PromptTemplate } from '../db/types';
import { isLlmCallError } from '../llm/errors';
import { draftWithVersion, type LlmSettings } from '../messaging/drafts';
import { renderTemplate } from '../messaging/templates';
import type { GeneratedDraft, PromptContext } from '../messaging/types';
import { checkDraftSafety } from '../safety/check';
import { reviewFlags } from '../safety/review-flags';
import { firstName } from '../smartengage/reminder-context';
import { HttpError, notFound } from '../lib/errors';
import type { MessageDraft } from '../messaging/types';
import { demoContext } from './demo-context';
import { previewJudgeVersion } from './judge-preview';
import { previewReplyIntentVersion, type ReplyToPreview } from './reply-intent-preview';
import type { DraftPreview, Preview } from './schemas';

/**
 * What a version would write (DESIGN.md: `POST /internal/prompts/:id/preview`): the same draft
 * writer and safety check the workflows use, for the demo context or a real customer's, with
 * nothing stored and nothing sent. Without a model it is the template writer, as in the workflows.
 */
export async function previewPromptVersion(db: Db, config: Config, llm: LlmSettings, any: PromptTemplate, customerId?: string, draft?: MessageDraft, reply: ReplyToPreview = {}): Promise<Preview> {
  const replyGiven = reply.reply !== undefined || reply.message !== undefined;
  if (any.message_type === 'REPLY_INTENT') {
    if (customerId || draft) throw new HttpError(422, 'not_applicable', 'a classifier version is previewed on a reply (`reply`, optionally `message`: the text it answers) or a demo reply, not on a customer or a draft');
    return previewReplyIntentVersion(db, config, llm, any, reply);
  }
  if (replyGiven) throw new HttpError(422, 'not_applicable', '`reply` and `message` are for classifier versions (message_type REPLY_INTENT)');
  if (any.agent_type === 'safety') {
    if (customerId) throw new HttpError(422, 'not_applicable', 'a judge version is previewed on a draft (`draft`) or the demo reminder, not for a customer');
    return previewJudgeVersion(config, llm, any, draft);
  }
  if (draft) throw new HttpError(422, 'not_applicable', '`draft` is for judge versions (agent_type safety); a drafting version writes its own draft');
  const version = any as DraftingVersion;
  const context = customerId ? await customerContext(db, version, customerId) : demoContext(version.message_type, version.locale);
  const req = { agent: version.agent_type, messageType: version.message_type, locale: version.locale, context };
  const generated = await draftOrTemplate(llm, version, req);
  const names = [context.first_name, context.service_name].filter((v): v is string => typeof v === 'string');
  const verdict = await checkDraftSafety(llm.client, { draft: generated.draft, locale: version.locale, allowedNames: names, agent: version.agent_type });
  const flags = reviewFlags(verdict.checks, version.locale, { moderationScore: config.SE_REVIEW_MODERATION_SCORE, scriptMargin: config.SE_REVIEW_SCRIPT_MARGIN });
  const preview: DraftPreview = {
    draft: generated.draft,
    safety: { safe: verdict.safe, checks: verdict.checks, flags },
    model: generated.model,
    prompt_version: version.version,
    fallback_reason: generated.fallbackReason ?? null,
    context: { source: customerId ? 'customer' : 'demo', values: context },
  };
  return preview;
}

/** A version of an agent's drafting prompt (not the judge's). */
type DraftingVersion = PromptTemplate & { agent_type: AgentType; message_type: MessageType };

/** A model outage shows as the template the workflow would send, labelled why, not as an error. */
async function draftOrTemplate(llm: LlmSettings, version: DraftingVersion, req: Parameters<typeof draftWithVersion>[2]): Promise<GeneratedDraft> {
  try {
    return await draftWithVersion(llm, version, req);
  } catch (error) {
    if (!isLlmCallError(error) && !(error instanceof ApplicationFailure)) throw error;
    return { draft: renderTemplate(version, req), model: 'template', promptVersion: version.version, templateId: version.id, fallbackReason: 'llm_unavailable' };
  }
}

/**
 * The person's real context, in the version's language: a customer's typical (most booked)
 * service and days since the last booking for a reminder; a worker's first name (the rest
 * from the demo) for CoachNova, whose contexts come from a job or an assessment.
 */
async function customerContext(db: Db, version: DraftingVersion, userId: string): Promise<PromptContext> {
  const user = await db.selectFrom('users').select(['full_name']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw notFound('customer');
  const base = { ...demoContext(version.message_type, version.locale), first_name: firstName(user.full_name) };
  if (version.message_type !== 'REMINDER') return base;
  const customer = await db.selectFrom('customers').select(['last_booking_at']).where('id', '=', userId).executeTakeFirst();
  if (!customer) throw notFound('customer');
  const service = await typicalService(db, userId, version.locale);
  const days = customer.last_booking_at ? Math.max(0, Math.floor((Date.now() - customer.last_booking_at.getTime()) / 86_400_000)) : 0;
  return { ...base, ...(service ? { service_name: service } : {}), days_since_last_booking: days };
}

async function typicalService(db: Db, customerId: string, locale: Locale): Promise<string | null> {
  const row = await db
    .selectFrom('bookings as b')
    .innerJoin('services as s', 's.id', 'b.service_id')
    .select(['s.name', 's.name_bn'])
    .where('b.customer_id', '=', customerId)
    .where('b.status', '=', 'COMPLETED')
    .groupBy(['s.id', 's.name', 's.name_bn'])
    .orderBy((eb) => eb.fn.countAll(), 'desc')
    .orderBy((eb) => eb.fn.max('b.finished_at'), 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return locale === 'bn' ? row.name_bn : row.name;
}
