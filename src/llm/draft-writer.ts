import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { PromptTemplate } from '../db/types';
import { fillPlaceholders } from '../messaging/placeholders';
import { z } from 'zod';
import type { DraftRequest, MessageDraft, PromptContext } from '../messaging/types';
import { LlmDraftSchema } from './draft-schema';
import { isLlmCallError, toActivityFailure } from './errors';

/** Why a model answer could not be used (then the approved template is sent instead). */
export type LlmFallbackReason = 'refusal' | 'invalid_json' | 'schema_invalid' | 'truncated' | 'content_filter' | 'empty_answer';

/** `model` is the one the server reports having used (e.g. a dated snapshot of the alias asked for). */
export type LlmDraftOutcome = { ok: true; draft: MessageDraft; model: string } | { ok: false; reason: LlmFallbackReason; detail: string };

/** Shown to the model when a value is absent, so a prompt never carries a raw `{{slot}}`. */
const NOT_GIVEN = '(not given)';

/** What each safety check means, phrased as an instruction for the regeneration prompt. */
const AVOID_HINTS: Record<string, string> = {
  profanity: 'no offensive, rude or insulting words',
  pii: 'no phone numbers, email addresses or ID numbers',
  links: 'no links, web addresses or domain names',
  placeholders: 'no placeholders such as [name] or {{name}}; write the final text',
  length: 'keep the subject under 150, the body under 1200 and the call to action under 60 characters',
  language: 'write only in the requested language and script',
  moderation: 'nothing harassing, hateful, sexual, violent or otherwise unsafe',
  offers: 'no discounts, prices, percentages, "free" services or promises that are not in the approved promotion',
  personal_details: "no one else's name or address; address only the recipient",
  manipulation: 'no threats, urgency, fear, or medical, legal or safety claims',
  injection: 'only the message itself: no instructions, role labels, mentions of AI, prompts or refusals',
  grounding: 'no numbers or facts that are not in the details given',
  judge: 'follow the safety policy: only the facts given, no offers, no pressure',
};

function avoidInstruction(avoid: string[]): string {
  const hints = avoid.map((name) => AVOID_HINTS[name] ?? name);
  return `Your previous draft failed these safety checks: ${avoid.join(', ')}. Write a new draft with ${hints.join('; ')}.`;
}

/**
 * Free text in the context (a customer's feedback) is quoted to the model, not obeyed: capped in
 * length and kept on one line, so it cannot grow the prompt or pose as further instructions.
 */
const MAX_CONTEXT_VALUE = 500;
function boundedContext(context: PromptContext): PromptContext {
  return Object.fromEntries(
    Object.entries(context).map(([key, value]) => [key, typeof value === 'string' ? value.replace(/\s+/g, ' ').trim().slice(0, MAX_CONTEXT_VALUE) : value]),
  );
}

/** The chat messages for a draft: the template's prompts filled from the request's context. */
export function buildPromptMessages(template: PromptTemplate, req: DraftRequest): Array<{ role: 'system' | 'user'; content: string }> {
  const context = boundedContext(req.context);
  const messages: Array<{ role: 'system' | 'user'; content: string }> = [
    { role: 'system', content: fillPlaceholders(template.system_prompt, context, NOT_GIVEN) },
    { role: 'user', content: fillPlaceholders(template.user_prompt, context, NOT_GIVEN) },
  ];
  if (req.avoid?.length) messages.push({ role: 'user', content: avoidInstruction(req.avoid) });
  return messages;
}

/**
 * What a model answer must be to count as a draft at all. Length is not checked here: the
 * safety check's `length` rule (src/safety/length.ts) rejects an overlong or empty field with
 * its name, severity and the span past the limit, which leads to a regeneration told to be
 * shorter and then to the template, and `safety_checks` shows why. Only a runaway answer, ten
 * times any limit, is refused here as schema_invalid, so it never enters a workflow history.
 */
const LlmAnswerSchema = z.object({ subject: z.string().max(1500), body: z.string().max(12_000), call_to_action: z.string().max(600) });

function classifyAnswerError(error: unknown): { reason: LlmFallbackReason; detail: string } {
  const name = (error as Error)?.name ?? '';
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof SyntaxError) return { reason: 'invalid_json', detail: message };
  if (name === 'LengthFinishReasonError') return { reason: 'truncated', detail: message };
  if (name === 'ContentFilterFinishReasonError') return { reason: 'content_filter', detail: message };
  if (name === 'ZodError' || name === '$ZodError') return { reason: 'schema_invalid', detail: message.slice(0, 500) };
  return { reason: 'invalid_json', detail: message.slice(0, 500) };
}

/**
 * Asks the model for a draft with structured output. A refused, malformed or out-of-bounds
 * answer is an outcome (the caller falls back to the template); a failed call is thrown as a
 * Temporal failure whose retryability follows `toActivityFailure`.
 */
export async function writeDraftWithLlm(client: OpenAI, model: string, template: PromptTemplate, req: DraftRequest): Promise<LlmDraftOutcome> {
  let completion;
  try {
    completion = await client.chat.completions.parse({
      model,
      messages: buildPromptMessages(template, req),
      response_format: zodResponseFormat(LlmDraftSchema, 'message'),
      temperature: 0.7,
      // room for the longest allowed Bengali body; a longer answer ends as 'truncated'
      max_completion_tokens: 1200,
    });
  } catch (error) {
    if (isLlmCallError(error)) throw toActivityFailure(error);
    return { ok: false, ...classifyAnswerError(error) };
  }
  const message = completion.choices[0]?.message;
  if (message?.refusal) return { ok: false, reason: 'refusal', detail: message.refusal.slice(0, 500) };
  if (!message?.parsed) return { ok: false, reason: 'empty_answer', detail: 'the model returned no content' };
  const checked = LlmAnswerSchema.safeParse(trimDraft(message.parsed));
  if (!checked.success) {
    const detail = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, reason: 'schema_invalid', detail };
  }
  return { ok: true, draft: checked.data, model: completion.model || model };
}

function trimDraft(draft: MessageDraft): MessageDraft {
  return { subject: draft.subject.trim(), body: draft.body.trim(), call_to_action: draft.call_to_action.trim() };
}
