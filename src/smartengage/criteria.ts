import { createHash } from 'node:crypto';
import { z } from 'zod';
import { clockTime, type Config } from '../config';
import { HttpError } from '../lib/errors';
import { promotionProblems } from '../safety/promotion';
import { SendTimeMode } from './experiment-spec';

/** What a caller may say about a segment run; every field optional, defaults from configuration. */
export const SegmentCriteriaInput = z
  .object({
    booking_cadence_days: z.number().int().min(1).max(365).optional(),
    lookback_days: z.number().int().min(1).max(3650).optional(),
    send_window_start: clockTime.optional(),
    send_window_end: clockTime.optional(),
    frequency_cap_hours: z.number().int().min(1).max(24 * 30).optional(),
    service_ids: z.array(z.uuid()).max(100).optional(),
    locale: z.enum(['bn', 'en']).optional(),
    max_customers: z.number().int().min(1).max(10_000_000).optional(),
    promo_code: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ only')
      .optional(),
    /**
     * The approved wording of the promotion ("10% off AC servicing with EID10"): a reminder may
     * state an offer only when it matches it (src/safety/offers.ts). Needs a promo code.
     */
    promo_terms: z.string().trim().min(1).max(300).optional(),
    /** Customers fetched per segment page (one activity result, one continue-as-new step). */
    page_size: z.number().int().min(1).max(1000).optional(),
    /** Re-engagement workflows in flight at once (sliding window). */
    concurrency: z.number().int().min(1).max(1000).optional(),
    /** `personal`: each customer's favourite booking hour inside the window; an experiment arm may override it. */
    send_time: SendTimeMode.optional(),
  })
  .strict();
export type SegmentCriteriaInput = z.infer<typeof SegmentCriteriaInput>;

/** Criteria with every default filled in: what the campaign and the segment query use. */
export const SegmentCriteria = SegmentCriteriaInput.required({
  booking_cadence_days: true,
  lookback_days: true,
  send_window_start: true,
  send_window_end: true,
  frequency_cap_hours: true,
  page_size: true,
  concurrency: true,
});
export type SegmentCriteria = z.infer<typeof SegmentCriteria>;

export function resolveCriteria(input: SegmentCriteriaInput, config: Config): SegmentCriteria {
  const promo = input.promo_code ?? config.SE_PROMO_CODE;
  return {
    ...input,
    booking_cadence_days: input.booking_cadence_days ?? config.SE_BOOKING_CADENCE_DAYS,
    lookback_days: input.lookback_days ?? config.SE_LOOKBACK_DAYS,
    send_window_start: input.send_window_start ?? config.SE_SEND_WINDOW_START,
    send_window_end: input.send_window_end ?? config.SE_SEND_WINDOW_END,
    frequency_cap_hours: input.frequency_cap_hours ?? config.SE_FREQUENCY_CAP_HOURS,
    page_size: input.page_size ?? config.SE_CAMPAIGN_PAGE_SIZE,
    concurrency: input.concurrency ?? config.SE_CAMPAIGN_CONCURRENCY,
    ...(promo ? { promo_code: promo } : {}),
  };
}

/** Keys that decide who is in the segment (not how it is sent): they name the segment. */
const SEGMENT_KEYS = ['booking_cadence_days', 'lookback_days', 'frequency_cap_hours', 'service_ids', 'locale', 'max_customers'] as const;

/**
 * A stable name for "who": the same selection rules give the same segment id, so two jobs over
 * one segment are recognisable as such in the API and the campaigns table.
 */
export function segmentId(criteria: SegmentCriteria): string {
  const canonical = SEGMENT_KEYS.map((k) => {
    const v = criteria[k];
    return [k, Array.isArray(v) ? [...v].sort() : (v ?? null)];
  });
  return `seg_${createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16)}`;
}

/** Refuses (422) a promotion a reminder could not safely state: terms without a code, or unsafe terms. */
export function assertApprovedPromotion(criteria: Pick<SegmentCriteria, 'promo_code' | 'promo_terms'>): void {
  const problems = promotionProblems({ code: criteria.promo_code, terms: criteria.promo_terms });
  if (problems.length === 0) return;
  throw new HttpError(422, 'invalid_promotion', `the promotion fails: ${problems.map((p) => p.name).join(', ')}`, {
    failed_checks: problems.map((p) => ({ name: p.name, detail: p.detail ?? null })),
  });
}
