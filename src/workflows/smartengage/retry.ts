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

/**
 * Options for the database-only steps run as local activities (plan, claim, context, deep link).
 * A step takes milliseconds, so an attempt that has not finished in 10 s is stuck (a connection
 * lost mid-query, a pool that cannot connect) and is abandoned; retries back off to at most 10 s,
 * so once the database is back the next attempt comes within seconds instead of after the
 * minute-long backoff of remote activities; the step gives up only after ten minutes.
 */
export function localDbStepOptions(settings: ActivityRetrySettings) {
  return {
    startToCloseTimeout: '10s',
    scheduleToCloseTimeout: '10m',
    retry: { initialInterval: Math.min(settings.initialIntervalMs, 1000), backoffCoefficient: 2, maximumInterval: 10_000 },
  } as const;
}
