import { z } from 'zod';
import { DraftSchema } from '../prompts/schemas';

/** The approval queue's HTTP contract (DESIGN.md Part 2, the learning loop), one definition each. */
export const ApprovalSchema = z.object({
  message_id: z.uuid(),
  workflow_id: z.string(),
  customer_id: z.uuid(),
  campaign_id: z.uuid().nullable(),
  prompt_version: z.number().int(),
  prompt_id: z.uuid(),
  reason: z.enum(['canary', 'flagged']),
  draft: DraftSchema,
  model: z.string(),
  safety: z.record(z.string(), z.unknown()),
  waiting_since: z.string(),
  expires_at: z.string(),
});
export type ApprovalView = z.infer<typeof ApprovalSchema>;
export const ApprovalListSchema = z.object({ approvals: z.array(ApprovalSchema) });
export const ApprovalListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();
export const ApprovalParams = z.object({ message_id: z.uuid() });
export const DecisionBody = z.object({ decision: z.enum(['approve', 'reject']), note: z.string().trim().max(1000).optional() }).strict();
export const DecisionResultSchema = z.object({
  message_id: z.uuid(),
  decision: z.enum(['approve', 'reject']),
  outcome: z.enum(['draft_will_be_sent', 'template_will_be_sent']),
});
export type DecisionResult = z.infer<typeof DecisionResultSchema>;
