import type { Config } from '../../config';
import type { SegmentCriteria } from '../criteria';
import type { CampaignSettings } from '../types';

/**
 * Workflows cannot read the environment, so the API (or the scheduled run's first activity)
 * turns configuration plus criteria into the settings a campaign carries in its input.
 */
export function campaignSettings(criteria: SegmentCriteria, config: Config): CampaignSettings {
  return {
    pageSize: criteria.page_size,
    concurrency: criteria.concurrency,
    maxChildrenPerRun: config.SE_MAX_CHILDREN_PER_RUN,
    reengagement: {
      sendWindowStart: criteria.send_window_start,
      sendWindowEnd: criteria.send_window_end,
      frequencyCapHours: criteria.frequency_cap_hours,
      attributionWindowSeconds: config.SE_ATTRIBUTION_WINDOW_SECONDS,
      deepLinkTtlHours: config.SE_DEEPLINK_TTL_HOURS,
      promoCode: criteria.promo_code ?? null,
      ...(criteria.promo_code && criteria.promo_terms ? { promoTerms: criteria.promo_terms } : {}),
      ...(criteria.send_time ? { sendTime: criteria.send_time } : {}),
      retry: { initialIntervalMs: config.SE_ACTIVITY_RETRY_INITIAL_MS, maximumAttempts: config.SE_ACTIVITY_MAX_ATTEMPTS },
      approval: { timeoutSeconds: config.SE_APPROVAL_TIMEOUT_SECONDS, moderationScore: config.SE_REVIEW_MODERATION_SCORE, scriptMargin: config.SE_REVIEW_SCRIPT_MARGIN },
    },
  };
}

export const campaignWorkflowId = (campaignId: string) => `campaign-${campaignId}`;
export const reengagementWorkflowId = (customerId: string, localDate: string) => `reengage-${customerId}-${localDate}`;
