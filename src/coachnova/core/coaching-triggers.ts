import { complaintKeywords } from './complaints';
import type { JobCompletedSignal } from '../events';

export type CoachingReason = 'low_rating' | 'complaint' | 'late_arrival';

export interface CoachingTriggerSettings {
  coachingRatingMax: number;
  lateMinutesThreshold: number;
}

/** Why a finished job deserves a coaching tip; empty for a good job (which gets nothing). */
export function coachingReasons(job: JobCompletedSignal, settings: CoachingTriggerSettings): CoachingReason[] {
  const reasons: CoachingReason[] = [];
  if (job.rating !== null && job.rating <= settings.coachingRatingMax) reasons.push('low_rating');
  if (complaintKeywords(job.feedback).length > 0) reasons.push('complaint');
  if (job.minutes_late !== null && job.minutes_late > settings.lateMinutesThreshold) reasons.push('late_arrival');
  return reasons;
}
