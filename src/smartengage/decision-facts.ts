import type { ComposedMessage } from '../messaging/types';
import type { SegmentCriteria } from './criteria';
import type { SegmentMember } from './segment-query';
import type { PersonalSendPlan } from '../core/local-time';
import type { ExperimentArmPlan } from './types';

/**
 * The facts stored with each decision (DESIGN.md Part 2, "Explanations"): what the rule was
 * applied to and what it decided, in words an operator reads on the timeline.
 */

const DAY_MS = 86_400_000;

export const TYPICAL_SERVICE_RULE = 'the completed service booked most often (still offered); ties go to the one finished most recently';

/** Why a customer was in the segment: the values the segment query's rules held on. */
export function eligibleFacts(member: SegmentMember, criteria: SegmentCriteria, asOf: Date) {
  const last = member.lastBookingAt ? new Date(member.lastBookingAt) : null;
  return {
    as_of: asOf.toISOString(),
    last_completed_booking_at: last?.toISOString() ?? null,
    days_since_last_completed_booking: last ? Math.floor((asOf.getTime() - last.getTime()) / DAY_MS) : null,
    booking_cadence_days: criteria.booking_cadence_days,
    lookback_days: criteria.lookback_days,
    typical_service: { service_id: member.serviceId, completed_bookings: member.serviceBookings, chosen_as: TYPICAL_SERVICE_RULE },
    consent: { marketing: true },
    last_contact_at: member.lastContactAt ? new Date(member.lastContactAt).toISOString() : null,
    frequency_cap_hours: criteria.frequency_cap_hours,
    open_bookings: 0,
  };
}

export function assignedFacts(experimentId: string, arm: ExperimentArmPlan, arms: readonly ExperimentArmPlan[], assignedAt: Date) {
  const total = arms.reduce((sum, a) => sum + a.weight, 0);
  return {
    experiment_id: experimentId,
    arm: arm.name,
    kind: arm.kind,
    share: arm.weight / total,
    prompt_version: arm.promptVersion,
    send_time: arm.sendTime,
    method: 'sha256(experiment id:customer id) as a number in [0, 1), placed on the arms\' cumulative weights',
    assigned_at: assignedAt.toISOString(),
    contacted: arm.kind !== 'holdout',
  };
}

const SEND_REASON_TEXT: Record<PersonalSendPlan['reason'] | 'window', string> = {
  window: 'send_time "window": as soon as the send window is open',
  favourite_hour: 'send_time "personal": the local hour at which this customer has booked most often, inside the window',
  favourite_hour_outside_window: 'send_time "personal": the favourite booking hour is outside the window, so the window start',
  too_few_bookings: 'send_time "personal": fewer than 3 past bookings, so the window start',
};

export function scheduledFacts(input: {
  timezone: string;
  windowStart: string;
  windowEnd: string;
  sendTime: 'window' | 'personal';
  plan: PersonalSendPlan | { waitMs: number; reason: 'window'; target: string };
  favourite?: { hour: number | null; bookingsAtHour: number; bookings: number };
  now: Date;
}) {
  return {
    timezone: input.timezone,
    send_window: { start: input.windowStart, end: input.windowEnd },
    send_time: input.sendTime,
    target_local_time: input.plan.target,
    why: SEND_REASON_TEXT[input.plan.reason],
    send_at: new Date(input.now.getTime() + input.plan.waitMs).toISOString(),
    wait_seconds: Math.round(input.plan.waitMs / 1000),
    ...(input.favourite ? { favourite_booking_hour: input.favourite.hour, bookings_at_that_hour: input.favourite.bookingsAtHour, past_bookings: input.favourite.bookings } : {}),
  };
}

/** Which prompt version and model wrote the text, and what the safety check said. */
export function composedFacts(composed: ComposedMessage) {
  const checks = composed.safetyChecks;
  return {
    model: composed.model,
    prompt_version: composed.promptVersion,
    template_id: composed.templateId,
    fallback_reason: composed.fallbackReason ?? null,
    safety: {
      safe: checks.safe,
      attempts: checks.attempts ?? 1,
      rejected_attempts: checks.rejected ?? [],
      checks: checks.checks.map((c) => ({ name: c.name, passed: c.passed })),
    },
  };
}
