import { allHandlersFinished, condition, continueAsNew, log, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { scoreBurnout } from '../../coachnova/core/burnout-score';
import { coachingReasons } from '../../coachnova/core/coaching-triggers';
import { complaintKeywords } from '../../coachnova/core/complaints';
import type { JobCompletedSignal } from '../../coachnova/events';
import type { CoachingSettings } from '../../coachnova/settings';
import { DEFAULT_TIME_ZONE, localMoment } from '../../core/local-time';
import { computeSignals, pruneWindow, withCancellation, withCheckIn, withJob } from '../../coachnova/core/work-window';
import { AgentTypeKey, RiskLevelKey, WorkerIdKey } from '../../temporal/search-attributes';
import { messageResponseSignal } from '../shared/signals';
import { bestEffort, databaseSteps, type DatabaseSteps } from './activities';
import {
  checkInSignal,
  jobCancelledSignal,
  jobCompletedSignal,
  sessionStateQuery,
  type CoachingSessionInput,
  type InboxItem,
  type SessionState,
} from './definitions';
import { escalateIfNeeded } from './escalation';
import { advanceDueMessages, recordResponse, scheduleMessage, type MessageContext } from './messages';
import { assessmentDue, initialState, nextActionAt, nextWakeAt, rememberBooking, sessionView } from './session-state';

/**
 * One long-running coaching session per worker (`coaching-<worker id>`), started by
 * signal-with-start on the worker's first event.
 *
 * Signals land in an inbox; the loop takes them in order, updates the rolling work window kept
 * in its own state (so the burnout score is computed deterministically here, from the same pure
 * functions the API uses), stores an assessment per event, escalates on HIGH, and advances the pending
 * messages (quiet hours, daily cap, reminder, IGNORED) by durable timers. Without events it
 * still wakes to re-assess every `assessmentIntervalSeconds`. When the server suggests it (or
 * after `maxEventsPerRun` events) the session continues-as-new, carrying the whole state, so its
 * history stays small however long the worker works with us.
 */
export async function coachingSession(input: CoachingSessionInput): Promise<{ ended: 'unknown_worker' }> {
  const { workerId, settings } = input;
  const { workflowId, firstExecutionRunId } = workflowInfo();
  // Decided before the first command, for the whole run: see databaseSteps
  const steps = databaseSteps(patched('coaching-db-steps-local'));
  const state: SessionState = input.state ?? initialState(firstExecutionRunId);
  // Shim for state written before assessments were batched (73e9b91, unpatched: see
  // src/workflows/README.md): a run continued-as-new by older code whose input lacks the field.
  state.unsavedAssessments ??= [];
  let timeZone = DEFAULT_TIME_ZONE;

  const receive = (item: InboxItem): void => {
    state.inbox.push(item);
  };
  setHandler(jobCompletedSignal, (payload) => receive({ type: 'job_completed', payload }));
  setHandler(jobCancelledSignal, (payload) => receive({ type: 'job_cancelled', payload }));
  setHandler(checkInSignal, (payload) => receive({ type: 'check_in', payload }));
  setHandler(messageResponseSignal, (payload) => receive({ type: 'message_response', payload }));
  setHandler(sessionStateQuery, () => sessionView(state, workerId, workflowId, localMoment(new Date(), timeZone).date));

  upsertSearchAttributes([
    { key: WorkerIdKey, value: workerId },
    { key: AgentTypeKey, value: 'coachnova' },
    ...(state.risk ? [{ key: RiskLevelKey, value: state.risk.level }] : []),
  ]);

  const profile = await steps.essential.loadCoachingProfile({ workerId });
  if (!profile) {
    log.warn('coachnova: no such worker, session ends', { workerId });
    return { ended: 'unknown_worker' };
  }
  timeZone = profile.timezone;
  const ctx: MessageContext = { workerId, workflowId, profile, settings, db: steps.store };
  if (!state.bootstrapped) await bootstrap(state, ctx);

  let eventsThisRun = 0;
  const timeToContinueAsNew = () => workflowInfo().continueAsNewSuggested || eventsThisRun >= settings.maxEventsPerRun;
  for (;;) {
    const wait = nextWakeAt(state, settings) - Date.now();
    if (state.inbox.length === 0 && wait > 0) await condition(() => state.inbox.length > 0, wait);

    if (state.inbox.length === 0 && assessmentDue(state, settings, Date.now())) {
      await assess(state, ctx, state.lastAssessedAt ? 'timer' : 'session_start', input.correlationId);
    }
    // One event at a time, each assessed on its own (so a brief dip below HIGH between two
    // events re-arms the escalation), due messages advanced in between so a flood of events
    // cannot hold a tip back; what is left when continue-as-new is due stays in the inbox.
    do {
      const item = state.inbox.shift();
      if (item) {
        await handle(state, ctx, item);
        if (item.type !== 'message_response') await assess(state, ctx, item.type, item.payload.correlation_id ?? input.correlationId);
        state.eventsProcessed++;
        eventsThisRun++;
      }
      await advanceDueMessages(state, ctx, nextActionAt);
    } while (state.inbox.length > 0 && !timeToContinueAsNew());
    await saveAssessments(state, ctx.db);

    if (timeToContinueAsNew()) {
      await condition(allHandlersFinished);
      const nextSettings = await settingsForNextRun(settings, ctx.db);
      return continueAsNew<typeof coachingSession>({ workerId, settings: nextSettings, correlationId: input.correlationId, state: { ...state, runs: state.runs + 1 } });
    }
  }
}

/**
 * A session lives for months, so each run takes up the configuration of its day: the settings
 * are read (one activity) just before continue-as-new and passed to the next run. Patched, as it
 * adds a command: runs recorded before it (test/coachnova/histories/) carry their settings over
 * unchanged. When the read fails after its retries, the session keeps the settings it has.
 */
async function settingsForNextRun(current: CoachingSettings, db: DatabaseSteps['store']): Promise<CoachingSettings> {
  if (!patched('coaching-settings-refreshed-at-continue-as-new')) return current;
  return (await bestEffort('loading current settings', () => db.loadCoachingSettings())) ?? current;
}

/** A new session starts from the worker's recent completed bookings, not from nothing. */
async function bootstrap(state: SessionState, ctx: MessageContext): Promise<void> {
  const since = new Date(Date.now() - ctx.settings.windowDays * 24 * 3600 * 1000).toISOString();
  const jobs = await bestEffort('loading recent jobs', () => ctx.db.loadRecentJobs({ workerId: ctx.workerId, sinceIso: since, maxJobs: ctx.settings.maxJobs }));
  for (const job of jobs ?? []) state.window = withJob(state.window, job);
  state.bootstrapped = true;
}

async function handle(state: SessionState, ctx: MessageContext, item: InboxItem): Promise<void> {
  switch (item.type) {
    case 'job_completed':
      return jobCompleted(state, ctx, item.payload);
    case 'job_cancelled':
      state.window = withCancellation(state.window, { bookingId: item.payload.booking_id, at: item.payload.at });
      return;
    case 'check_in':
      state.window = withCheckIn(state.window, { score: item.payload.score, at: item.payload.at });
      return;
    case 'message_response':
      await recordResponse(state, ctx, item.payload);
      return;
  }
}

/** Adds the job to the window and, when it went badly, queues one tip grounded in its details. */
async function jobCompleted(state: SessionState, ctx: MessageContext, job: JobCompletedSignal): Promise<void> {
  if (state.handledBookings.includes(job.booking_id)) {
    log.info('coachnova: repeated completion ignored', { bookingId: job.booking_id });
    return;
  }
  rememberBooking(state, job.booking_id);
  state.window = withJob(state.window, {
    bookingId: job.booking_id,
    startedAt: job.started_at,
    finishedAt: job.finished_at,
    rating: job.rating,
    complaint: complaintKeywords(job.feedback).length > 0,
    minutesLate: job.minutes_late,
  });
  const reasons = coachingReasons(job, ctx.settings);
  if (reasons.length === 0) return;

  const { locale, firstName } = ctx.profile;
  const serviceName = await bestEffort('loading the service name', () => ctx.db.loadBookingServiceName({ bookingId: job.booking_id, locale }));
  scheduleMessage(
    state,
    ctx,
    {
      key: `coachnova:coaching:${job.booking_id}`,
      type: 'COACHING',
      reasons,
      context: {
        first_name: firstName,
        service_name: serviceName ?? (locale === 'bn' ? 'সেবা' : 'service'),
        rating: job.rating ?? '-',
        minutes_late: job.minutes_late ?? 0,
        feedback: job.feedback ?? '-',
      },
      correlationId: job.correlation_id,
    },
    new Date(),
  );
}

/** Scores the window as of now, stores the assessment, tracks the level, escalates on HIGH. */
async function assess(state: SessionState, ctx: MessageContext, trigger: string, correlationId?: string): Promise<void> {
  const { settings, profile, workerId, workflowId } = ctx;
  const now = new Date();
  state.window = pruneWindow(state.window, now, { windowDays: settings.windowDays, maxJobs: settings.maxJobs });
  const signals = computeSignals(state.window, now, {
    timeZone: profile.timezone,
    lateNightStart: settings.lateNightStart,
    lateNightEnd: settings.lateNightEnd,
    ratingSample: settings.ratingTrendSample,
  });
  const risk = scoreBurnout(signals, settings.policy);
  if (risk.level !== state.risk?.level) upsertSearchAttributes([{ key: RiskLevelKey, value: risk.level }]);
  state.risk = risk;
  state.signals = signals;
  state.lastAssessedAt = now.toISOString();
  state.assessmentSeq++;
  const idempotencyKey = `${workflowId}:${state.sessionId}:${state.assessmentSeq}`;
  state.unsavedAssessments.push({ idempotencyKey, workerId, assessment: risk, trigger, assessedAt: state.lastAssessedAt!, correlationId });
  if (risk.level === 'HIGH' || state.unsavedAssessments.length >= ASSESSMENTS_PER_WRITE) await saveAssessments(state, ctx.db);
  await escalateIfNeeded(state, ctx, now, correlationId);
}

/**
 * Assessments are written in batches: a burst of events costs one activity, not one each, and
 * the batch size bounds the work done between two awaits (the SDK's deadlock detector).
 */
const ASSESSMENTS_PER_WRITE = 25;

async function saveAssessments(state: SessionState, db: DatabaseSteps['store']): Promise<void> {
  const assessments = state.unsavedAssessments.splice(0);
  if (assessments.length > 0) await bestEffort('storing assessments', () => db.storeBurnoutAssessments({ assessments }));
}
