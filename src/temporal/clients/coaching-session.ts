import { isGrpcDeadlineError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { Db } from '../../db/database';
import { AgentTypeKey, WorkerIdKey } from '../search-attributes';
import {
  checkInSignal,
  COACHING_SESSION_WORKFLOW,
  jobCancelledSignal,
  jobCompletedSignal,
  sessionStateQuery,
  type CoachingSessionInput,
} from '../../workflows/coachnova/definitions';
import { scoreBurnout, signalsForApi } from '../../coachnova/core/burnout-score';
import type { SessionSignal } from '../../coachnova/events';
import { localMoment } from '../../core/local-time';
import type { SessionView } from '../../coachnova/session-view-schema';
import { coachingSettingsFromConfig, coachingWorkflowId } from '../../coachnova/settings';
import { loadWorkerProfile, loadWorkWindow } from '../../coachnova/work-history';
import { computeSignals } from '../../coachnova/core/work-window';

/**
 * The API's side of CoachNova: deliver an event to the worker's session (starting it if none
 * runs, in one call) and read a worker's state.
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

export async function workerExists(db: Db, workerId: string): Promise<boolean> {
  return !!(await db.selectFrom('workers').select('id').where('id', '=', workerId).executeTakeFirst());
}

/** A query waits for a worker to answer; with none polling, the API answers from the database instead of hanging. */
const SESSION_QUERY_DEADLINE_MS = 2000;

async function runningSessionView(client: Client, workerId: string): Promise<SessionView | null> {
  const handle = client.workflow.getHandle(coachingWorkflowId(workerId));
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return null;
    return await client.withDeadline(Date.now() + SESSION_QUERY_DEADLINE_MS, () => handle.query(sessionStateQuery));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || isGrpcDeadlineError(error)) return null;
    throw error;
  }
}

/**
 * The running session's own view; without one, the same score computed from the worker's
 * completed bookings (no cancellations or check-ins: only a session sees those). Null for an
 * unknown worker.
 */
export async function workerStateView(client: Client, db: Db, config: Config, workerId: string, now = new Date()): Promise<SessionView | null> {
  const profile = await loadWorkerProfile(db, workerId);
  if (!profile) return null;
  const running = await runningSessionView(client, workerId);
  if (running) return running;

  const settings = coachingSettingsFromConfig(config);
  const since = new Date(now.getTime() - settings.windowDays * 24 * 3600 * 1000);
  const window = await loadWorkWindow(db, workerId, since, settings.maxJobs);
  const signals = computeSignals(window, now, {
    timeZone: profile.timezone,
    lateNightStart: settings.lateNightStart,
    lateNightEnd: settings.lateNightEnd,
    ratingSample: settings.ratingTrendSample,
  });
  const risk = scoreBurnout(signals, settings.policy);
  const startOfLocalDay = new Date(now.getTime() - localMoment(now, profile.timezone).minutes * 60_000);
  const messagesToday = await db
    .selectFrom('ai_messages')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', workerId)
    .where('agent_type', '=', 'coachnova')
    .where('created_at', '>=', startOfLocalDay)
    .executeTakeFirstOrThrow();
  return {
    worker_id: workerId,
    source: 'database',
    workflow_id: null,
    risk: { score: risk.score, level: risk.level, factors: risk.factors, override: risk.override, assessed_at: now.toISOString() },
    metrics: {
      ...signalsForApi(signals),
      jobs_in_window: window.jobs.length,
      messages_today: Number(messagesToday.count),
      skipped_by_daily_cap: 0,
      escalations: 0,
      events_processed: 0,
      runs: 0,
    },
    pending_messages: [],
  };
}
