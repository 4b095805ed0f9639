import { z } from 'zod';
import { SessionViewSchema } from '../coachnova/session-view-schema';
import { CampaignCountsSchema, CampaignStatusSchema } from '../smartengage/campaign-schemas';

/**
 * What `/internal/console/*` answers, one definition each: the route documents these in
 * /openapi.json, the read models (queries.ts) are typed by them, and the console (console/src)
 * imports the inferred types, so the three cannot drift apart.
 */
const MESSAGE_TYPES = ['REMINDER', 'COACHING', 'BURNOUT_CHECK', 'UPSELL'] as const;
const DELIVERY_STATUSES = ['PENDING', 'SENT', 'DELIVERED', 'FAILED'] as const;
const USER_RESPONSES = ['CLICKED', 'REPLIED', 'IGNORED', 'BOOKED', 'ACKNOWLEDGED'] as const;
const isoTime = z.string().describe('ISO 8601 time');

export const ConsoleSettingsSchema = z.object({
  temporal_ui_url: z.string().describe("the Temporal Web UI the console links runs to"),
  namespace: z.string(),
  schedule_id: z.string().describe("the SmartEngage daily cadence schedule's id"),
});
export type ConsoleSettings = z.infer<typeof ConsoleSettingsSchema>;

export const CampaignListEntrySchema = z.object({
  job_id: z.uuid(),
  segment_id: z.string(),
  status: CampaignStatusSchema,
  workflow_id: z.string(),
  experiment_id: z.uuid().nullable(),
  experiment_name: z.string().nullable(),
  estimated_customers: z.number().int(),
  counts: CampaignCountsSchema.describe("a running campaign's live counts from its workflow, else the stored ones"),
  created_at: isoTime,
  finished_at: isoTime.nullable(),
});
export type CampaignListEntry = z.infer<typeof CampaignListEntrySchema>;
export const CampaignListSchema = z.object({ campaigns: z.array(CampaignListEntrySchema) });

export const CustomerMatchSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  full_name: z.string(),
  locale: z.enum(['bn', 'en']),
});
export type CustomerMatch = z.infer<typeof CustomerMatchSchema>;
export const CustomerMatchListSchema = z.object({ customers: z.array(CustomerMatchSchema) });

export const CustomerMessageSchema = z.object({
  id: z.uuid(),
  campaign_id: z.uuid().nullable(),
  workflow_id: z.string().nullable(),
  subject: z.string().nullable(),
  text: z.string(),
  locale: z.enum(['bn', 'en']),
  model: z.string().nullable(),
  prompt_version: z.number().int().nullable(),
  safety: z.object({
    safe: z.boolean().nullable().describe('null for a message stored without a verdict'),
    failed: z.array(z.string()).describe('names of the checks that failed'),
    fallback_reason: z.string().nullable(),
  }),
  delivery_status: z.enum(DELIVERY_STATUSES),
  sent_at: isoTime.nullable(),
  response: z.enum(USER_RESPONSES).nullable(),
  responded_at: isoTime.nullable(),
  created_at: isoTime,
});
export type CustomerMessage = z.infer<typeof CustomerMessageSchema>;
export const CustomerDetailSchema = z.object({
  customer: CustomerMatchSchema,
  messages: z.array(CustomerMessageSchema).describe('newest first, at most 100'),
});
export type CustomerDetail = z.infer<typeof CustomerDetailSchema>;

export const BoardWorkerSchema = z.object({
  worker_id: z.uuid(),
  full_name: z.string(),
  email: z.string(),
  view: SessionViewSchema,
});
export type BoardWorker = z.infer<typeof BoardWorkerSchema>;
export const CoachnovaBoardSchema = z.object({ workers: z.array(BoardWorkerSchema).describe('highest risk first') });

export const CoachingTipSchema = z.object({
  id: z.uuid(),
  worker_id: z.uuid(),
  full_name: z.string(),
  message_type: z.enum(MESSAGE_TYPES),
  subject: z.string().nullable(),
  message_text: z.string(),
  delivery_status: z.enum(DELIVERY_STATUSES),
  user_response: z.enum(USER_RESPONSES).nullable(),
  workflow_id: z.string().nullable(),
  created_at: isoTime,
});
export const EscalationSchema = z.object({
  id: z.uuid(),
  worker_id: z.uuid(),
  full_name: z.string(),
  score: z.number(),
  level: z.enum(['LOW', 'MODERATE', 'HIGH']),
  workflow_id: z.string().nullable(),
  sent_at: isoTime.nullable(),
  created_at: isoTime,
});
export const CoachnovaActivitySchema = z.object({
  tips: z.array(CoachingTipSchema).describe('newest first'),
  escalations: z.array(EscalationSchema).describe('supervisor alerts, newest first'),
});
export type CoachnovaActivity = z.infer<typeof CoachnovaActivitySchema>;
