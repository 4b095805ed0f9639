import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { StoreAssessmentInput } from '../../activities/coachnova';
import type { BurnoutAssessment, BurnoutSignals } from '../../coachnova/core/burnout-score';
import type { CheckInSignal, JobCancelledSignal, JobCompletedSignal } from '../../coachnova/events';
import type { CoachingSettings } from '../../coachnova/settings';
import type { WorkWindow } from '../../coachnova/core/work-window';
import type { SessionView } from '../../coachnova/session-view-schema';
import type { ComposedMessage, MessageResponseEvent, PromptContext } from '../../messaging/types';

/**
 * The coaching session's public surface: its input, signals, query and the state it carries
 * across continue-as-new. The API imports this file (not the workflow) to signal and query.
 */

/** The workflow type name; every start names it by this constant (see smartengage/definitions.ts). */
export const COACHING_SESSION_WORKFLOW = 'coachingSession';

export const jobCompletedSignal = defineSignal<[JobCompletedSignal]>('jobCompleted');
export const jobCancelledSignal = defineSignal<[JobCancelledSignal]>('jobCancelled');
export const checkInSignal = defineSignal<[CheckInSignal]>('checkIn');

export type CoachingMessageType = 'COACHING' | 'BURNOUT_CHECK';

/** A message the session owes or awaits an answer to; a small state machine, resumable after continue-as-new. */
export interface PendingMessage {
  /** Idempotency base for every row this message writes. */
  key: string;
  type: CoachingMessageType;
  /** SCHEDULED: waits for `dueAt` (quiet hours, daily cap); AWAITING_ACK: sent, waits for the worker. */
  stage: 'SCHEDULED' | 'AWAITING_ACK';
  dueAt: string;
  reasons: string[];
  context: PromptContext;
  correlationId?: string;
  composed?: ComposedMessage;
  messageIds: string[];
  sentAt?: string;
  reminderAt?: string;
  timeoutAt?: string;
  reminded: boolean;
}

export interface EscalationState {
  /** Escalated during the current HIGH episode; cleared when the risk drops below HIGH. */
  escalatedThisEpisode: boolean;
  lastEscalatedAt: string | null;
  count: number;
}

/** Signals not yet processed, in arrival order (carried over if continue-as-new comes first). */
export type InboxItem =
  | { type: 'job_completed'; payload: JobCompletedSignal }
  | { type: 'job_cancelled'; payload: JobCancelledSignal }
  | { type: 'check_in'; payload: CheckInSignal }
  | { type: 'message_response'; payload: MessageResponseEvent };

export interface SessionState {
  /** The first run id of this session's chain: makes idempotency keys unique per session. */
  sessionId: string;
  runs: number;
  eventsProcessed: number;
  assessmentSeq: number;
  bootstrapped: boolean;
  window: WorkWindow;
  /** Bookings whose completion was already handled (bounded): a repeated event coaches nothing. */
  handledBookings: string[];
  risk: BurnoutAssessment | null;
  signals: BurnoutSignals | null;
  lastAssessedAt: string | null;
  escalation: EscalationState;
  /** Messages sent on the worker's local `date` (the daily cap). */
  sentToday: { date: string; count: number };
  skippedByCap: number;
  /** Assessments made but not yet stored: written in batches (always empty at continue-as-new). */
  unsavedAssessments: StoreAssessmentInput[];
  pending: PendingMessage[];
  inbox: InboxItem[];
}

export interface CoachingSessionInput {
  workerId: string;
  settings: CoachingSettings;
  correlationId?: string;
  /** Present after continue-as-new: everything the previous run knew. */
  state?: SessionState;
}

/** What `GET /internal/ai/coachnova/workers/:id` shows (schema in src/coachnova/session-view-schema.ts). */
export type { SessionView };

export const sessionStateQuery = defineQuery<SessionView>('state');
