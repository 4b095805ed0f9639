import { z } from 'zod';
import { clockTime, type Config } from '../config';

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
});
export type SegmentCriteria = z.infer<typeof SegmentCriteria>;

export function resolveCriteria(input: SegmentCriteriaInput, config: Config): SegmentCriteria {
  return {
    ...input,
    booking_cadence_days: input.booking_cadence_days ?? config.SE_BOOKING_CADENCE_DAYS,
    lookback_days: input.lookback_days ?? config.SE_LOOKBACK_DAYS,
    send_window_start: input.send_window_start ?? config.SE_SEND_WINDOW_START,
    send_window_end: input.send_window_end ?? config.SE_SEND_WINDOW_END,
    frequency_cap_hours: input.frequency_cap_hours ?? config.SE_FREQUENCY_CAP_HOURS,
  };
}
