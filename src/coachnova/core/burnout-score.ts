/**
 * The burnout risk score: a pure, explainable function of a worker's rolling signals.
 *
 * No I/O and no clock: the session workflow calls it on its own state, the API calls it on
 * bookings read from the database, and both get the same answer for the same signals.
 *
 * Each factor earns points between 0 and its weight: none while the signal stays on the safe
 * side of `start`, rising linearly, and the full weight at `limit` and beyond. The score is the
 * sum of points (the default weights add up to 100), so every point can be traced to a factor.
 */

export type RiskLevel = 'LOW' | 'MODERATE' | 'HIGH';

export interface BurnoutSignals {
  /** Hours worked in the 24 hours before the assessment. */
  hoursLast24h: number;
  /** Hours worked in the 7 days before the assessment. */
  hoursLast7d: number;
  /** Working days in a row up to today or yesterday (a day off breaks the streak). */
  consecutiveWorkingDays: number;
  /** Jobs in the last 7 days that ran into the night (see the session's late-night window). */
  lateNightJobs7d: number;
  /** Average rating of the most recent rated jobs; null when too few are rated. */
  recentAvgRating: number | null;
  /** Average rating of the rated jobs before those; null when too few are rated. */
  previousAvgRating: number | null;
  /** Jobs the worker cancelled in the last 7 days. */
  cancellations7d: number;
  /** Jobs in the last 7 days with a complaint in the feedback or a rating of 2 or lower. */
  negativeFeedback7d: number;
  /** The worker's latest check-in answer (0 = very bad, 10 = very good) from the last 7 days. */
  latestCheckInScore: number | null;
}

/**
 * One factor's rule. `direction: 'above'` means higher values are worse (hours); `'below'`
 * means lower values are worse (a check-in score).
 */
export interface FactorRule {
  weight: number;
  start: number;
  limit: number;
  direction: 'above' | 'below';
}

export type FactorName =
  | 'hours_last_24h'
  | 'hours_last_7d'
  | 'consecutive_working_days'
  | 'late_night_jobs_7d'
  | 'rating_drop'
  | 'cancellations_7d'
  | 'negative_feedback_7d'
  | 'check_in_score';

export interface BurnoutPolicy {
  factors: Record<FactorName, FactorRule>;
  /** Score at or above which the level is MODERATE. */
  moderateAt: number;
  /** Score at or above which the level is HIGH. */
  highAt: number;
  /** A check-in answer at or below this is HIGH at once, whatever the other factors say. */
  checkInHighAtOrBelow: number;
}

export interface BurnoutFactor {
  name: FactorName;
  /** The signal's value (hours, days, count, stars dropped, check-in score). */
  value: number;
  /** The value at which the factor earns its full weight. */
  limit: number;
  /** The value beyond which the factor starts to earn points. */
  start: number;
  weight: number;
  points: number;
}

export interface BurnoutAssessment {
  score: number;
  level: RiskLevel;
  factors: BurnoutFactor[];
  /** Why the level is what it is when a rule overrides the score (e.g. a check-in of 3 or lower). */
  override?: 'check_in_at_or_below_threshold';
}

/**
 * Defaults follow the Bangladesh Labour Act 2006 working-time limits: 8 hours a day (10 with
 * overtime, s.100/s.108), 48 hours a week (60 with overtime, s.102), and one rest day a week
 * (s.103), i.e. at most 6 working days in a row. Points start at the ordinary limit and reach
 * the full weight at the overtime limit; a 7th working day in a row earns the full weight.
 */
export const DEFAULT_BURNOUT_POLICY: BurnoutPolicy = {
  factors: {
    hours_last_24h: { weight: 12, start: 8, limit: 10, direction: 'above' },
    hours_last_7d: { weight: 20, start: 48, limit: 60, direction: 'above' },
    consecutive_working_days: { weight: 15, start: 6, limit: 7, direction: 'above' },
    late_night_jobs_7d: { weight: 8, start: 0, limit: 3, direction: 'above' },
    rating_drop: { weight: 15, start: 0, limit: 1.5, direction: 'above' },
    cancellations_7d: { weight: 8, start: 0, limit: 3, direction: 'above' },
    negative_feedback_7d: { weight: 10, start: 0, limit: 3, direction: 'above' },
    check_in_score: { weight: 12, start: 7, limit: 3, direction: 'below' },
  },
  moderateAt: 25,
  highAt: 50,
  checkInHighAtOrBelow: 3,
};

/** Overrides of the default policy (e.g. from configuration); factors merge rule by rule. */
export interface BurnoutPolicyOverrides {
  factors?: Partial<Record<FactorName, Partial<FactorRule>>>;
  moderateAt?: number;
  highAt?: number;
  checkInHighAtOrBelow?: number;
}

export function burnoutPolicy(overrides: BurnoutPolicyOverrides = {}): BurnoutPolicy {
  const factors = { ...DEFAULT_BURNOUT_POLICY.factors };
  for (const [name, rule] of Object.entries(overrides.factors ?? {}) as Array<[FactorName, Partial<FactorRule>]>) {
    factors[name] = { ...factors[name], ...rule };
  }
  return {
    factors,
    moderateAt: overrides.moderateAt ?? DEFAULT_BURNOUT_POLICY.moderateAt,
    highAt: overrides.highAt ?? DEFAULT_BURNOUT_POLICY.highAt,
    checkInHighAtOrBelow: overrides.checkInHighAtOrBelow ?? DEFAULT_BURNOUT_POLICY.checkInHighAtOrBelow,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Points for one factor: 0 on the safe side of `start`, the full weight at `limit` and beyond. */
export function factorPoints(value: number, rule: FactorRule): number {
  const span = rule.direction === 'above' ? rule.limit - rule.start : rule.start - rule.limit;
  const over = rule.direction === 'above' ? value - rule.start : rule.start - value;
  if (over <= 0) return 0;
  if (span <= 0 || over >= span) return rule.weight;
  return round2((rule.weight * over) / span);
}

/** The value each factor reads from the signals; null when the signal is unknown (no points). */
function factorValues(signals: BurnoutSignals): Record<FactorName, number | null> {
  const { recentAvgRating: recent, previousAvgRating: previous } = signals;
  return {
    hours_last_24h: signals.hoursLast24h,
    hours_last_7d: signals.hoursLast7d,
    consecutive_working_days: signals.consecutiveWorkingDays,
    late_night_jobs_7d: signals.lateNightJobs7d,
    rating_drop: recent !== null && previous !== null ? round2(Math.max(0, previous - recent)) : null,
    cancellations_7d: signals.cancellations7d,
    negative_feedback_7d: signals.negativeFeedback7d,
    check_in_score: signals.latestCheckInScore,
  };
}

export function levelForScore(score: number, policy: BurnoutPolicy): RiskLevel {
  if (score >= policy.highAt) return 'HIGH';
  if (score >= policy.moderateAt) return 'MODERATE';
  return 'LOW';
}

/** Scores the signals under the policy; the result lists every factor, scoring or not. */
export function scoreBurnout(signals: BurnoutSignals, policy: BurnoutPolicy = DEFAULT_BURNOUT_POLICY): BurnoutAssessment {
  const values = factorValues(signals);
  const factors = (Object.keys(policy.factors) as FactorName[]).map((name): BurnoutFactor => {
    const rule = policy.factors[name];
    const value = values[name];
    const points = value === null ? 0 : factorPoints(value, rule);
    return { name, value: value ?? 0, limit: rule.limit, start: rule.start, weight: rule.weight, points };
  });
  const score = Math.min(100, Math.max(0, round2(factors.reduce((sum, f) => sum + f.points, 0))));
  const checkIn = signals.latestCheckInScore;
  if (checkIn !== null && checkIn <= policy.checkInHighAtOrBelow) {
    return { score, level: 'HIGH', factors, override: 'check_in_at_or_below_threshold' };
  }
  return { score, level: levelForScore(score, policy), factors };
}

/** The signals as the API shows them (snake_case, like the factor names). */
export function signalsForApi(signals: BurnoutSignals) {
  return {
    hours_last_24h: signals.hoursLast24h,
    hours_last_7d: signals.hoursLast7d,
    consecutive_working_days: signals.consecutiveWorkingDays,
    late_night_jobs_7d: signals.lateNightJobs7d,
    recent_avg_rating: signals.recentAvgRating,
    previous_avg_rating: signals.previousAvgRating,
    cancellations_7d: signals.cancellations7d,
    negative_feedback_7d: signals.negativeFeedback7d,
    latest_check_in_score: signals.latestCheckInScore,
  };
}

/** The factors that earned points, largest first: what a supervisor alert names. */
export function contributingFactors(assessment: BurnoutAssessment): BurnoutFactor[] {
  return assessment.factors.filter((f) => f.points > 0).sort((a, b) => b.points - a.points);
}
