import type { Config } from '../config';
import { burnoutPolicy, type BurnoutPolicy } from './core/burnout-score';

/**
 * Everything a coaching session's behaviour depends on, passed in the workflow input (and
 * carried across continue-as-new) so the workflow reads no configuration itself and tests can
 * shrink every duration to seconds.
 */
export interface CoachingSettings {
  quietHoursStart: string;
  quietHoursEnd: string;
  dailyMessageCap: number;
  ackReminderSeconds: number;
  ackTimeoutSeconds: number;
  escalationCooldownSeconds: number;
  assessmentIntervalSeconds: number;
  coachingRatingMax: number;
  lateMinutesThreshold: number;
  windowDays: number;
  maxJobs: number;
  lateNightStart: string;
  lateNightEnd: string;
  ratingTrendSample: number;
  maxEventsPerRun: number;
  policy: BurnoutPolicy;
}

export function coachingSettingsFromConfig(config: Config): CoachingSettings {
  return {
    quietHoursStart: config.CN_QUIET_HOURS_START,
    quietHoursEnd: config.CN_QUIET_HOURS_END,
    dailyMessageCap: config.CN_DAILY_MESSAGE_CAP,
    ackReminderSeconds: config.CN_ACK_REMINDER_SECONDS,
    ackTimeoutSeconds: config.CN_ACK_TIMEOUT_SECONDS,
    escalationCooldownSeconds: config.CN_ESCALATION_COOLDOWN_SECONDS,
    assessmentIntervalSeconds: config.CN_ASSESSMENT_INTERVAL_SECONDS,
    coachingRatingMax: config.CN_COACHING_RATING_MAX,
    lateMinutesThreshold: config.CN_LATE_MINUTES_THRESHOLD,
    windowDays: config.CN_WINDOW_DAYS,
    maxJobs: config.CN_WINDOW_MAX_JOBS,
    lateNightStart: config.CN_LATE_NIGHT_START,
    lateNightEnd: config.CN_LATE_NIGHT_END,
    ratingTrendSample: config.CN_RATING_TREND_SAMPLE,
    maxEventsPerRun: config.CN_MAX_EVENTS_PER_RUN,
    policy: burnoutPolicy({ moderateAt: config.CN_RISK_MODERATE_AT, highAt: config.CN_RISK_HIGH_AT }),
  };
}

export const coachingWorkflowId = (workerId: string) => `coaching-${workerId}`;
