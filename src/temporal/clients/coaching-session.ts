import { isGrpcDeadlineError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import { AgentTypeKey, WorkerIdKey } from '../search-attributes';
import { grpcCode, isTransientTemporalError } from '../grpc-errors';
import {
  checkInSignal,
  COACHING_SESSION_WORKFLOW,
  jobCancelledSignal,
  jobCompletedSignal,
  sessionStateQuery,
  type CoachingSessionInput,
} from '../../workflows/coachnova/definitions';
import type { SessionSignal } from '../../coachnova/events';
import type { SessionView } from '../../coachnova/session-view-schema';
import { coachingSettingsFromConfig, coachingWorkflowId } from '../../coachnova/settings';

/**
 * The API's side of a CoachNova session: deliver an event to the worker's session (starting it
 * if none runs, in one call) and query its state.
 */

/** Signal-with-start: the session is created on the worker's first event and reused after. */
export async function signalCoachingSession(client: Client, config: Config, workerId: string, event: SessionSignal, correlationId: string): Promise<string> {
  const workflowId = coachingWorkflowId(workerId);
  const input: CoachingSessionInput = { workerId, settings: coachingSettingsFromConfig(config), correlationId };
  const start = {
    workflowId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [input] as [CoachingSessionInput],
    typedSearchAttributes: [
      { key: WorkerIdKey, value: workerId },
      { key: AgentTypeKey, value: 'coachnova' },
    ],
  };
  switch (event.type) {
    case 'job_completed':
      await client.workflow.signalWithStart(COACHING_SESSION_WORKFLOW, { ...start, signal: jobCompletedSignal, signalArgs: [event.payload] });
      break;
    case 'job_cancelled':
      await client.workflow.signalWithStart(COACHING_SESSION_WORKFLOW, { ...start, signal: jobCancelledSignal, signalArgs: [event.payload] });
      break;
    case 'check_in':
      await client.workflow.signalWithStart(COACHING_SESSION_WORKFLOW, { ...start, signal: checkInSignal, signalArgs: [event.payload] });
      break;
  }
  return workflowId;
}

/** A query waits for a worker to answer; with none polling, the API answers from the database instead of hanging. */
const SESSION_QUERY_DEADLINE_MS = 2000;

/** The running session's own view, or null when none runs or no worker answers in time. */
export async function runningSessionView(client: Client, workerId: string): Promise<SessionView | null> {
  const handle = client.workflow.getHandle(coachingWorkflowId(workerId));
  try {
    // the describe too: while the server restarts the SDK retries it for half a minute, and the
    // request would hang rather than answer from the stored view (chaos suite)
    return await client.withDeadline(Date.now() + SESSION_QUERY_DEADLINE_MS, async () => {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return null;
      return handle.query(sessionStateQuery);
    });
  } catch (error) {
    // no live answer now (no worker within the deadline — a passed deadline can surface as
    // CANCELLED —, the call cancelled while the server restarts, the workflow's task failed with
    // its worker): the stored view answers instead; CANCELLED is one of the transient codes
    if (error instanceof WorkflowNotFoundError || isGrpcDeadlineError(error)) return null;
    if (grpcCode(error) !== undefined && isTransientTemporalError(error)) return null;
    throw error;
  }
}
