import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { SEND_HEARTBEAT_TIMEOUT } from '../shared/send-options';

/**
 * Activity stubs for the coaching session. Database writes are idempotent, so they retry with
 * backoff for a good while; email gives up sooner and the message is marked FAILED instead.
 */
export const store = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 20 },
});

/** What the session cannot run without (the worker's profile): retried until the database answers. */
export const essential = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export const mail = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: SEND_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

/**
 * Runs a side effect whose failure must not end the session (a session lives for months): an
 * activity that failed after all its retries is logged and the session carries on.
 */
export async function bestEffort<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.error(`coachnova: ${what} failed after retries`, { error: error.cause?.message ?? error.message });
    return undefined;
  }
}
