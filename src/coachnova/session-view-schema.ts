import { z } from 'zod';

/**
 * The shape of a worker's CoachNova state, as the session's query answers it and as
 * `GET /internal/ai/coachnova/workers/:id` serves it (also when computed from the database).
 * Workflow code imports the type only.
 */
const FactorSchema = z.object({
  name: z.enum([
    'hours_last_24h',
    'hours_last_7d',
    'consecutive_working_days',
    'late_night_jobs_7d',
    'rating_drop',
    'cancellations_7d',
    'negative_feedback_7d',
    'check_in_score',
  ]),
  value: z.number(),
  limit: z.number().describe('value at which the factor earns its full weight'),
  start: z.number().describe('value beyond which the factor starts to earn points'),
  weight: z.number(),
  points: z.number(),
});

export const SessionViewSchema = z.object({
  worker_id: z.string(),
  source: z.enum(['session', 'database']).describe('the running session, or computed from bookings when none runs'),
  workflow_id: z.string().nullable(),
  risk: z
    .object({
      score: z.number().min(0).max(100),
      level: z.enum(['LOW', 'MODERATE', 'HIGH']),
      factors: z.array(FactorSchema),
      override: z.literal('check_in_at_or_below_threshold').optional(),
      assessed_at: z.string().nullable(),
    })
    .nullable(),
  metrics: z
    .object({
      hours_last_24h: z.number(),
      hours_last_7d: z.number(),
      consecutive_working_days: z.number(),
      late_night_jobs_7d: z.number(),
      recent_avg_rating: z.number().nullable(),
      previous_avg_rating: z.number().nullable(),
      cancellations_7d: z.number(),
      negative_feedback_7d: z.number(),
      latest_check_in_score: z.number().nullable(),
      jobs_in_window: z.number(),
      messages_today: z.number(),
      skipped_by_daily_cap: z.number(),
      escalations: z.number(),
      events_processed: z.number(),
      runs: z.number(),
    })
    .nullable(),
  pending_messages: z.array(
    z.object({
      key: z.string(),
      type: z.enum(['COACHING', 'BURNOUT_CHECK']),
      stage: z.enum(['SCHEDULED', 'AWAITING_ACK']),
      due_at: z.string(),
      reasons: z.array(z.string()),
      message_ids: z.array(z.string()),
      reminded: z.boolean(),
    }),
  ),
});
export type SessionView = z.infer<typeof SessionViewSchema>;

export type SessionMetrics = NonNullable<SessionView['metrics']>;
