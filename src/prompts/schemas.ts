import { z } from 'zod';
import { REPLY_INTENTS } from '../replies/intent';

/**
 * The prompt-version contract (DESIGN.md Part 2, "The learning loop"): request bodies and the
 * response types, one definition each; the routes validate with them and the OpenAPI document
 * is generated from them.
 */
/** 'safety' / 'JUDGE': the safety judge's policy (migration 0017), versioned like the drafting prompts. */
export const PromptAgentType = z.enum(['smartengage', 'coachnova', 'safety']);
/** 'REPLY_INTENT': the reply classifier's prompt (migration 0018), versioned like the others. */
export const PromptMessageType = z.enum(['REMINDER', 'COACHING', 'BURNOUT_CHECK', 'JUDGE', 'REPLY_INTENT']);
/** Every prompt listed: every type a version can be created for. */
export const ListedPromptType = PromptMessageType;
export const PromptLocale = z.enum(['bn', 'en']);
export const PromptStatusSchema = z.enum(['draft', 'canary', 'active', 'retired']);

/** Which agent writes which message type: a version for any other pair is refused. */
export const MESSAGE_TYPES_OF: Record<z.infer<typeof PromptAgentType>, Array<z.infer<typeof PromptMessageType>>> = {
  smartengage: ['REMINDER', 'REPLY_INTENT'],
  coachnova: ['COACHING', 'BURNOUT_CHECK'],
  safety: ['JUDGE'],
};

export const ListPromptsQuery = z.object({
  agent_type: PromptAgentType.optional(),
  message_type: ListedPromptType.optional(),
  locale: PromptLocale.optional(),
  status: PromptStatusSchema.optional(),
});

export const PromptSummarySchema = z.object({
  id: z.uuid(),
  agent_type: PromptAgentType,
  message_type: ListedPromptType,
  locale: PromptLocale,
  version: z.number().int(),
  status: PromptStatusSchema,
  notes: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  messages_sent: z.number().int(),
  canary: z.object({ messages: z.number().int(), used: z.number().int() }).nullable(),
  activated_at: z.string().nullable(),
  retired_at: z.string().nullable(),
});
export type PromptSummary = z.infer<typeof PromptSummarySchema>;
export const PromptListSchema = z.object({ prompts: z.array(PromptSummarySchema) });

export const PromptEventSchema = z.object({ action: z.string(), actor: z.string(), at: z.string(), details: z.record(z.string(), z.unknown()) });
export const PromptDetailSchema = PromptSummarySchema.extend({
  system_prompt: z.string(),
  user_prompt: z.string(),
  fallback_subject: z.string(),
  fallback_text: z.string(),
  events: z.array(PromptEventSchema),
});
export type PromptDetail = z.infer<typeof PromptDetailSchema>;

export const CreatePromptBody = z
  .object({
    agent_type: PromptAgentType,
    message_type: PromptMessageType,
    locale: PromptLocale,
    system_prompt: z.string().trim().min(1).max(8000),
    user_prompt: z.string().trim().min(1).max(8000),
    /** Required for a drafting prompt; a judge or classifier version has none (judgePromptProblems, replyIntentPromptProblems). */
    fallback_subject: z.string().trim().min(1).max(150).optional(),
    fallback_text: z.string().trim().min(1).max(1200).optional(),
    notes: z.string().max(2000).optional(),
  })
  .strict()
  .refine((b) => MESSAGE_TYPES_OF[b.agent_type].includes(b.message_type), { message: 'this agent does not write this message type', path: ['message_type'] })
  .superRefine((b, ctx) => {
    if (b.agent_type === 'safety' || b.message_type === 'REPLY_INTENT') return;
    for (const field of ['fallback_subject', 'fallback_text'] as const) {
      if (b[field] === undefined) ctx.addIssue({ code: 'custom', message: 'required: the approved template sent when a draft fails', path: [field] });
    }
  });
export type CreatePromptInput = z.infer<typeof CreatePromptBody>;
export const CreatedPromptSchema = z.object({ id: z.uuid(), version: z.number().int(), status: z.literal('draft') });

export const PromptIdParams = z.object({ id: z.uuid() });
/**
 * `draft`: for a judge version only, the draft to judge (default: a demo reminder). `reply` and
 * `message`: for a classifier version only, the reply to classify and the text of the message it
 * answers (default: a demo reply to a demo reminder).
 */
export const PreviewBody = z
  .object({
    customer_id: z.uuid().optional(),
    draft: z.object({ subject: z.string().max(1000), body: z.string().max(5000), call_to_action: z.string().max(500) }).strict().optional(),
    reply: z.string().trim().min(1).max(5000).optional(),
    message: z.string().max(5000).optional(),
  })
  .strict();
export const ActivateBody = z.object({ canary_messages: z.number().int().min(0).max(10_000).optional() }).strict();
export const ActivatedSchema = z.object({ id: z.uuid(), version: z.number().int(), status: PromptStatusSchema, retired: z.object({ id: z.uuid(), version: z.number().int() }).nullable() });
export type Activated = z.infer<typeof ActivatedSchema>;

export const DraftSchema = z.object({ subject: z.string(), body: z.string(), call_to_action: z.string() });
export const SafetyCheckSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  detail: z.string().optional(),
  score: z.number().optional(),
  skipped: z.boolean().optional(),
  /** The judge check: the judge prompt version (and its row) that gave the verdict. */
  prompt_version: z.number().int().optional(),
  prompt_id: z.string().optional(),
});
export const ReviewFlagSchema = z.object({ check: z.string(), score: z.number(), threshold: z.number(), detail: z.string() });
export const PreviewSafetySchema = z.object({ safe: z.boolean(), checks: z.array(SafetyCheckSchema), flags: z.array(ReviewFlagSchema) });
export const DraftPreviewSchema = z.object({
  draft: DraftSchema,
  safety: PreviewSafetySchema,
  model: z.string(),
  prompt_version: z.number().int(),
  fallback_reason: z.string().nullable(),
  context: z.object({ source: z.enum(['demo', 'customer']), values: z.record(z.string(), z.union([z.string(), z.number()])) }),
});
export type DraftPreview = z.infer<typeof DraftPreviewSchema>;

/** A classifier version's preview: its reading of a reply (rules first, then this version), nothing stored. */
export const ReplyIntentPreviewSchema = z.object({
  reply: z.object({ text: z.string(), message_type: z.string(), message_text: z.string(), source: z.enum(['given', 'demo']) }),
  classification: z.object({
    intent: z.enum(REPLY_INTENTS),
    summary: z.string(),
    requested_date: z.string().nullable(),
    mood: z.enum(['ok', 'worried', 'unknown']),
    classified_by: z.enum(['rules', 'llm']),
    /** The version whose answer it is; null when the rules decided. */
    prompt_version: z.number().int().nullable(),
    error: z.string().nullable(),
    flags: z.array(z.string()),
  }),
  model: z.string(),
  prompt_version: z.number().int(),
  fallback_reason: z.string().nullable(),
});
export type ReplyIntentPreview = z.infer<typeof ReplyIntentPreviewSchema>;

/** A drafting or judge version's draft and verdict, or a classifier version's reading of a reply. */
export const PreviewSchema = z.union([DraftPreviewSchema, ReplyIntentPreviewSchema]);
export type Preview = z.infer<typeof PreviewSchema>;
