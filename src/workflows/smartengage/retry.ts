import type { RetryPolicy } from '@temporalio/common';
import type { ActivityRetrySettings } from '../../smartengage/types';

/** Exponential backoff from the configured first interval; attempts bounded so failures surface. */
export function activityRetry(settings: ActivityRetrySettings): RetryPolicy {
  return {
    initialInterval: settings.initialIntervalMs,
    backoffCoefficient: 2,
    maximumInterval: Math.max(settings.initialIntervalMs * 30, 1000),
    maximumAttempts: settings.maximumAttempts,
  };
}
