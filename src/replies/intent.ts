import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { Db } from '../db/database';
import type { ReplyIntent, ReplyMood } from '../db/types';
import { draftTextOf } from '../safety/findings';
import { injectionRule } from '../safety/injection';

/**
 * What a reply means (DESIGN.md "Replies understood"): rules first — an explicit unsubscribe in
 * Bengali or English is `opt_out` without asking anyone — then the LLM with structured output,
 * driven by the active REPLY_INTENT prompt version (migration 0018). Without an LLM, or when the
 * call or its answer fails, the rules alone decide (`other` when unsure) and say why.
 *
 * The reply is untrusted: it reaches the model only as a JSON string (quotes, newlines, markers
 * escaped) inside a delimited block the prompt calls data; the answer is validated strictly and
 * is only ever an intent — nothing a reply says can book, cancel or change anything else.
 */
export const REPLY_INTENTS = ['book', 'reschedule', 'question', 'opt_out', 'complaint', 'other'] as const satisfies readonly ReplyIntent[];

export const ReplyUnderstandingSchema = z
  .object({
    intent: z.enum(REPLY_INTENTS),
    summary: z.string().max(300),
    requested_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
    mood: z.enum(['ok', 'worried', 'unknown']),
  })
  .strict();
export type ReplyUnderstanding = z.infer<typeof ReplyUnderstandingSchema>;

/** The structured-output schema's name (the local test server can tell classifier calls by it). */
export const REPLY_INTENT_SCHEMA_NAME = 'reply_intent';

export interface Classification extends ReplyUnderstanding {
  classifiedBy: 'rules' | 'llm';
  promptVersion: number | null;
  /** Why the rules decided alone, when an LLM was expected to. */
  error: string | null;
  flags: string[];
}

const OPT_OUT = [
  /\bunsubscribe\b/i,
  /\bopt[\s-]?out\b/i,
  /\bstop\s+(?:sending|emailing|messaging|texting|contacting|these|this|it|all)\b/i,
  /\b(?:don'?t|do\s+not|never)\s+(?:send|email|message|text|contact)\s+me\b/i,
  /\b(?:remove|take)\s+me\s+(?:from|off)\b/i,
  /\bno\s+more\s+(?:emails?|messages?|reminders?)\b/i,
  /বন্ধ\s*করুন/u,
  /বন্ধ\s*করেন/u,
  /আর\s*(?:কোনো\s*)?(?:ইমেইল|মেইল|মেসেজ|বার্তা|এসএমএস)?\s*(?:পাঠাবেন|দিবেন|দেবেন)\s*না/u,
  /আনসাবস্ক্রাইব/u,
  /পাঠানো\s*বন্ধ/u,
];
const COMPLAINT = [
  /\b(?:broke|broken|damaged?|rude|dirty|complain(?:t)?|overcharged?|terrible|awful|worst|unprofessional|never\s+again|stole|stolen)\b/i,
  /(?:ভেঙে|ভেঙ্গে|নষ্ট\s*করে|অভদ্র|নোংরা|অভিযোগ|বাজে\s*ব্যবহার|চুরি|ক্ষতি\s*করে)/u,
];
const RESCHEDULE = [/\b(?:reschedule|another\s+(?:day|date|time)|postpone|move\s+(?:it|my\s+booking)|change\s+the\s+(?:date|time))\b/i, /(?:অন্য\s*(?:দিন|সময়|তারিখ)|পিছিয়ে|সময়\s*পরিবর্তন|তারিখ\s*পরিবর্তন)/u];
const BOOK = [/\b(?:book|schedule)\s+(?:me|it|again|a|the|one)\b/i, /\bi(?:'d|\s+would)\s+like\s+to\s+book\b/i, /(?:বুক\s*করতে\s*চাই|বুক\s*করে\s*দিন|বুকিং\s*দিতে\s*চাই)/u];
const QUESTION = [/\?\s*$/, /^(?:how|what|when|where|why|which|who|can|could|do|does|is|are)\b/i, /(?:কত|কখন|কিভাবে|কীভাবে|কেন|কোথায়)/u];
const WORRIED = [
  /\b(?:tired|exhausted|stress(?:ed|ful)?|burn(?:t|ed)?\s*out|overwork(?:ed)?|sick|unwell|can'?t\s+cope|worried|anxious|sad|too\s+much\s+work|no\s+rest)\b/i,
  /(?:ক্লান্ত|চাপে|চাপ\s*লাগ|অসুস্থ|কষ্ট|দুশ্চিন্তা|বিশ্রাম\s*নেই|খুব\s*বেশি\s*কাজ|মন\s*খারাপ|ভালো\s*নেই|ভাল\s*নেই)/u,
];

const any = (patterns: RegExp[], text: string) => patterns.some((p) => p.test(text));
const oneLine = (text: string, max = 140) => text.replace(/\s+/g, ' ').trim().slice(0, max);

/** True when the reply carries text aimed at a model (instructions to ignore instructions, role labels, …). */
export function looksLikeInjection(text: string): boolean {
  return !injectionRule(draftTextOf({ subject: '', body: text, call_to_action: '' })).passed;
}

/** The explicit opt-out words: decided by the rules alone, never by the model. */
export function isExplicitOptOut(text: string): boolean {
  return any(OPT_OUT, text.normalize('NFC'));
}

/** The rules' reading of a reply: confident phrases only, `other` when unsure. */
export function classifyByRules(text: string): ReplyUnderstanding {
  const t = text.normalize('NFC');
  const mood: ReplyMood = any(WORRIED, t) ? 'worried' : 'unknown';
  const intent: ReplyIntent = isExplicitOptOut(t)
    ? 'opt_out'
    : any(COMPLAINT, t)
      ? 'complaint'
      : any(RESCHEDULE, t)
        ? 'reschedule'
        : any(BOOK, t)
          ? 'book'
          : any(QUESTION, t)
            ? 'question'
            : 'other';
  return { intent, summary: oneLine(`(rules) ${intent}`), requested_date: null, mood };
}

/** JSON-escaped, with the block's markers and angle brackets escaped too, so the text cannot close its block. */
export function asDataBlock(text: string): string {
  return JSON.stringify(text).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

export interface ClassifierPrompt {
  version: number;
  system_prompt: string;
  user_prompt: string;
}

export async function activeClassifierPrompt(db: Db): Promise<ClassifierPrompt | undefined> {
  return db
    .selectFrom('prompt_templates')
    .select(['version', 'system_prompt', 'user_prompt'])
    .where('message_type', '=', 'REPLY_INTENT')
    .where('is_active', '=', true)
    .executeTakeFirst();
}

export interface ReplyToClassify {
  text: string;
  receivedAt: Date;
  /** The message replied to, for context (our own text: still escaped like the reply). */
  messageType: string;
  messageText: string;
}

/** The prompt's placeholders filled; every value taken from a person or a message is a JSON string. */
export function classifierMessages(prompt: ClassifierPrompt, reply: ReplyToClassify): Array<{ role: 'system' | 'user'; content: string }> {
  const values: Record<string, string> = {
    reply_date: reply.receivedAt.toISOString().slice(0, 10),
    message_type: reply.messageType,
    message_json: asDataBlock(reply.messageText.slice(0, 1500)),
    reply_json: asDataBlock(reply.text),
  };
  // one pass over the template: a value is never scanned again for placeholders
  const user = prompt.user_prompt.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
  return [
    { role: 'system', content: prompt.system_prompt },
    { role: 'user', content: user },
  ];
}

export interface ClassifierLlm {
  client: OpenAI | null;
  model: string;
  timeoutMs?: number;
}

/**
 * Rules, then the model. An explicit opt-out never reaches the model. The prompt is the active
 * REPLY_INTENT version, read on every call (no cache: a version activated or rolled back through
 * `/internal/prompts` classifies the next reply), or the one given (a preview of a draft version). A reply that carries text
 * aimed at a model is flagged `prompt_injection` and its answer is capped: it may name a
 * question, complaint or other, but never book/reschedule/opt_out on the model's word alone.
 */
export async function classifyReply(db: Db, llm: ClassifierLlm, reply: ReplyToClassify, version?: ClassifierPrompt): Promise<Classification> {
  const rules = classifyByRules(reply.text);
  const flags = looksLikeInjection(reply.text) ? ['prompt_injection'] : [];
  if (rules.intent === 'opt_out') return { ...rules, summary: 'asks to receive no more messages', classifiedBy: 'rules', promptVersion: null, error: null, flags };
  if (!llm.client) return { ...rules, classifiedBy: 'rules', promptVersion: null, error: 'no LLM configured', flags };
  const prompt = version ?? (await activeClassifierPrompt(db));
  if (!prompt) return { ...rules, classifiedBy: 'rules', promptVersion: null, error: 'no active REPLY_INTENT prompt', flags };
  try {
    const completion = await llm.client.chat.completions.parse(
      {
        model: llm.model,
        messages: classifierMessages(prompt, reply),
        response_format: zodResponseFormat(ReplyUnderstandingSchema, REPLY_INTENT_SCHEMA_NAME),
        temperature: 0,
        max_completion_tokens: 200,
      },
      llm.timeoutMs ? { timeout: llm.timeoutMs } : undefined,
    );
    const message = completion.choices[0]?.message;
    if (!message?.parsed) throw new Error(message?.refusal ? `refused: ${message.refusal}` : 'no structured answer');
    // parse() validated the shape; validate again here, strictly, as the one gate for model output
    const answer = ReplyUnderstandingSchema.parse(message.parsed);
    let intent = answer.intent;
    if (flags.length > 0 && (intent === 'book' || intent === 'reschedule' || intent === 'opt_out')) intent = 'other';
    return {
      intent,
      summary: oneLine(answer.summary),
      requested_date: intent === 'book' || intent === 'reschedule' ? validDate(answer.requested_date) : null,
      mood: answer.mood,
      classifiedBy: 'llm',
      promptVersion: prompt.version,
      error: null,
      flags,
    };
  } catch (error) {
    return { ...rules, classifiedBy: 'rules', promptVersion: null, error: `LLM failed, rules decided: ${oneLine((error as Error).message, 200)}`, flags };
  }
}

/** A calendar date that exists (the schema only checks its shape). */
function validDate(value: string | null): string | null {
  if (!value) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : value;
}
