import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { SEND_HEARTBEAT_TIMEOUT } from '../shared/send-options';

/**
 * Activity stubs for the coaching session. Database writes are idempotent, so they retry with
 * backoff for a good while; email gives up after about five minutes and the message is marked FAILED.
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

/**
 * Email retries for about five minutes (2 s doubling to 1 min, 10 attempts): five attempts in
 * 30 s marked a tip FAILED, lost, whenever the mail server was down for a minute (chaos suite).
 */
export const mail = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: SEND_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
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
