import { contributingFactors, signalsForApi } from '../../coachnova/core/burnout-score';
import { emptyWindow } from '../../coachnova/core/work-window';
import type { CoachingSettings } from '../../coachnova/settings';
import type { PendingMessage, SessionState, SessionView } from './definitions';

/** Pure helpers over the session state: a fresh state, when to wake next, what the query shows. */

/** How many booking ids the session remembers to recognise a repeated completion event. */
export const HANDLED_BOOKINGS_KEPT = 500;

export function initialState(sessionId: string): SessionState {
  return {
    sessionId,
    runs: 1,
    eventsProcessed: 0,
    assessmentSeq: 0,
    bootstrapped: false,
    window: emptyWindow(),
    handledBookings: [],
    risk: null,
    signals: null,
    lastAssessedAt: null,
    escalation: { escalatedThisEpisode: false, lastEscalatedAt: null, count: 0 },
    sentToday: { date: '', count: 0 },
    skippedByCap: 0,
    unsavedAssessments: [],
    pending: [],
    inbox: [],
  };
}

/** The next moment a pending message needs attention (send, remind, give up). */
export function nextActionAt(message: PendingMessage): number {
  if (message.stage === 'SCHEDULED') return Date.parse(message.dueAt);
  const timeout = Date.parse(message.timeoutAt!);
  return message.reminded ? timeout : Math.min(Date.parse(message.reminderAt!), timeout);
}

/** When the session must wake without a signal: the earliest message action or the periodic assessment. */
export function nextWakeAt(state: SessionState, settings: CoachingSettings): number {
  const assessment = state.lastAssessedAt ? Date.parse(state.lastAssessedAt) + settings.assessmentIntervalSeconds * 1000 : 0;
  return Math.min(assessment, ...state.pending.map(nextActionAt));
}

export function assessmentDue(state: SessionState, settings: CoachingSettings, now: number): boolean {
  return !state.lastAssessedAt || now >= Date.parse(state.lastAssessedAt) + settings.assessmentIntervalSeconds * 1000;
}

export function rememberBooking(state: SessionState, bookingId: string): void {
  state.handledBookings.push(bookingId);
  if (state.handledBookings.length > HANDLED_BOOKINGS_KEPT) state.handledBookings.splice(0, state.handledBookings.length - HANDLED_BOOKINGS_KEPT);
}

export function sessionView(state: SessionState, workerId: string, workflowId: string, today: string): SessionView {
  const risk = state.risk;
  return {
    worker_id: workerId,
    source: 'session',
    workflow_id: workflowId,
    risk: risk
      ? { score: risk.score, level: risk.level, factors: risk.factors, override: risk.override, assessed_at: state.lastAssessedAt }
      : null,
    metrics: state.signals
      ? {
          ...signalsForApi(state.signals),
          jobs_in_window: state.window.jobs.length,
          messages_today: state.sentToday.date === today ? state.sentToday.count : 0,
          skipped_by_daily_cap: state.skippedByCap,
          escalations: state.escalation.count,
          events_processed: state.eventsProcessed,
          runs: state.runs,
        }
      : null,
    pending_messages: state.pending.map((p) => ({
      key: p.key,
      type: p.type,
      stage: p.stage,
      due_at: new Date(nextActionAt(p)).toISOString(),
      reasons: p.reasons,
      message_ids: p.messageIds,
      reminded: p.reminded,
    })),
  };
}
