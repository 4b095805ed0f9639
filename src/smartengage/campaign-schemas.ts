import { z } from 'zod';

/** A campaign's status and counts as the API answers them (the job status endpoint and the console's list). */
export const CampaignStatusSchema = z.enum(['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']);

export const CampaignCountsSchema = z.object({
  eligible: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  skipped_reasons: z.record(z.string(), z.number().int()),
  in_flight: z.number().int(),
  awaiting_approval: z.number().int().describe('customers whose reminder waits for an operator (outside the sliding window)'),
});
