import { log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { isActivityOutcome } from '../shared/activity-outcome';
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
 * The same database steps as local activities (issue 16): they run inside the worker during the
 * workflow task, so a step costs no task queue round trip and no workflow task of its own. A
 * step takes milliseconds: an attempt not done in 10 s is stuck (connection lost mid-query) and
 * is abandoned; retries back off to at most 10 s, so once the database is back the next attempt
 * comes within seconds, for as long as the remote steps retried (about a quarter of an hour).
 */
const localStore = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** The worker's profile as a local activity: retried until the database answers, like `essential`. */
const localEssential = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** Where a run's database-only steps go; the email and the supervisor alert (SMTP) stay remote either way. */
export interface DatabaseSteps {
  store: typeof store;
  essential: typeof essential;
}

/**
 * Chosen once per run by `patched('coaching-db-steps-local')` (src/workflows/README.md): a run
 * that started before local steps replays on the remote ones it recorded, every later run
 * (continue-as-new included) uses local ones.
 */
export function databaseSteps(local: boolean): DatabaseSteps {
  return local ? { store: localStore, essential: localEssential } : { store, essential };
}

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
    if (!isActivityOutcome(error)) throw error;
    log.error(`coachnova: ${what} failed after retries`, { error: error.cause?.message ?? error.message });
    return undefined;
  }
}
