import type { Config } from '../config';
import type { Db } from '../db/database';
import type { PromptTemplate } from '../db/types';
import type { LlmSettings } from '../messaging/drafts';
import { classifyReply } from '../replies/intent';
import type { ReplyIntentPreview } from './schemas';

/** A reply as customers write them, to the demo reminder: what a classifier version is previewed on unless a reply is given. */
const DEMO_MESSAGE = 'Hi Rahim, it has been 30 days since your last AC Servicing. Book again whenever it suits you.';
const DEMO_REPLY = 'Can you come next Friday afternoon instead? The AC is dripping again.';

export interface ReplyToPreview {
  /** The reply to classify (default: a demo reply). */
  reply?: string;
  /** The text of the message it answers (default: the demo reminder). */
  message?: string;
}

/**
 * Preview of a classifier version (DESIGN.md `POST /internal/prompts/:id/preview`, for
 * message_type 'REPLY_INTENT'): the classification the reply path runs — the rules first (an
 * explicit opt-out never reaches the model), then the model with *this* version, whatever its
 * status — on the reply given or a demo one. Nothing stored, nothing sent. Without a model the
 * rules decide, as in the reply path, with `fallback_reason: "llm_not_configured"`.
 */
export async function previewReplyIntentVersion(db: Db, config: Config, llm: LlmSettings, version: PromptTemplate, given: ReplyToPreview): Promise<ReplyIntentPreview> {
  const text = given.reply ?? DEMO_REPLY;
  const messageText = given.message ?? DEMO_MESSAGE;
  const result = await classifyReply(
    db,
    { client: llm.client, model: llm.model, timeoutMs: config.OPENAI_TIMEOUT_MS },
    { text, receivedAt: new Date(), messageType: 'REMINDER', messageText },
    version,
  );
  return {
    reply: { text, message_type: 'REMINDER', message_text: messageText, source: given.reply === undefined ? 'demo' : 'given' },
    classification: {
      intent: result.intent,
      summary: result.summary,
      requested_date: result.requested_date,
      mood: result.mood,
      classified_by: result.classifiedBy,
      prompt_version: result.promptVersion,
      error: result.error,
      flags: result.flags,
    },
    model: result.classifiedBy === 'llm' ? llm.model : 'none',
    prompt_version: version.version,
    fallback_reason: llm.client ? (result.classifiedBy === 'llm' ? null : result.error ? 'llm_unavailable' : null) : 'llm_not_configured',
  };
}
