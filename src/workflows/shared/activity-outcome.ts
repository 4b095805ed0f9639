import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

/**
 * An activity that failed for good. A remote one arrives as an ActivityFailure; a local one as its
 * own last failure, unwrapped (its ApplicationFailure, or a TimeoutFailure). A workflow that
 * catches only ActivityFailure rethrows a local activity's failure, and an ApplicationFailure
 * thrown by workflow code ends the run: every catch around activities uses this instead.
 */
export function isActivityOutcome(error: unknown): error is ActivityFailure | ApplicationFailure | TimeoutFailure {
  return error instanceof ActivityFailure || error instanceof ApplicationFailure || error instanceof TimeoutFailure;
}
