import {
  burnoutPolicy,
  contributingFactors,
  DEFAULT_BURNOUT_POLICY,
  factorPoints,
  scoreBurnout,
  type BurnoutSignals,
} from '../../src/coachnova/core/burnout-score';

const rested: BurnoutSignals = {
  hoursLast24h: 6,
  hoursLast7d: 40,
  consecutiveWorkingDays: 5,
  lateNightJobs7d: 0,
  recentAvgRating: 4.8,
  previousAvgRating: 4.7,
  cancellations7d: 0,
  negativeFeedback7d: 0,
  latestCheckInScore: null,
};

const points = (signals: Partial<BurnoutSignals>, name: string) =>
  scoreBurnout({ ...rested, ...signals }).factors.find((f) => f.name === name)!.points;

describe('burnout score: each factor against its Labour Act threshold', () => {
  it.each([
    // [factor, signals, expected points]
    ['hours_last_24h', { hoursLast24h: 8 }, 0],
    ['hours_last_24h', { hoursLast24h: 9 }, 6],
    ['hours_last_24h', { hoursLast24h: 10 }, 12],
    ['hours_last_24h', { hoursLast24h: 14 }, 12],
    ['hours_last_7d', { hoursLast7d: 48 }, 0],
    ['hours_last_7d', { hoursLast7d: 54 }, 10],
    ['hours_last_7d', { hoursLast7d: 60 }, 20],
    ['hours_last_7d', { hoursLast7d: 72 }, 20],
    ['consecutive_working_days', { consecutiveWorkingDays: 6 }, 0],
    ['consecutive_working_days', { consecutiveWorkingDays: 7 }, 15],
    ['late_night_jobs_7d', { lateNightJobs7d: 0 }, 0],
    ['late_night_jobs_7d', { lateNightJobs7d: 3 }, 8],
    ['rating_drop', { recentAvgRating: 4.8, previousAvgRating: 4.8 }, 0],
    ['rating_drop', { recentAvgRating: 4.0, previousAvgRating: 4.75 }, 7.5],
    ['rating_drop', { recentAvgRating: 3.0, previousAvgRating: 4.8 }, 15],
    ['rating_drop', { recentAvgRating: 5, previousAvgRating: 3 }, 0],
    ['rating_drop', { recentAvgRating: null, previousAvgRating: null }, 0],
    ['cancellations_7d', { cancellations7d: 3 }, 8],
    ['negative_feedback_7d', { negativeFeedback7d: 1 }, 3.33],
    ['check_in_score', { latestCheckInScore: 9 }, 0],
    ['check_in_score', { latestCheckInScore: 5 }, 6],
    ['check_in_score', { latestCheckInScore: 3 }, 12],
  ] as const)('%s with %j earns %d points', (name, signals, expected) => {
    expect(points(signals, name)).toBe(expected);
  });
});

describe('burnout score: level', () => {
  it.each([
    ['a rested worker', 'LOW', {}],
    ['weekly hours beyond the overtime limit', 'MODERATE', { hoursLast7d: 62, hoursLast24h: 10 }],
    ['... and no rest day for a week', 'MODERATE', { hoursLast7d: 62, hoursLast24h: 10, consecutiveWorkingDays: 7 }],
    ['... and falling ratings', 'HIGH', { hoursLast7d: 62, hoursLast24h: 10, consecutiveWorkingDays: 7, recentAvgRating: 3.2, previousAvgRating: 4.8 }],
    ['a check-in answer of 3 alone', 'HIGH', { latestCheckInScore: 3 }],
    ['a check-in answer of 0 alone', 'HIGH', { latestCheckInScore: 0 }],
    ['a check-in answer of 4 alone', 'LOW', { latestCheckInScore: 4 }],
  ] as const)('%s is %s', (_label, level, signals) => {
    expect(scoreBurnout({ ...rested, ...signals }).level).toBe(level);
  });

  it('raises the score step by step as the factors add up', () => {
    const steps = [
      rested,
      { ...rested, hoursLast7d: 62, hoursLast24h: 10 },
      { ...rested, hoursLast7d: 62, hoursLast24h: 10, consecutiveWorkingDays: 7 },
      { ...rested, hoursLast7d: 62, hoursLast24h: 10, consecutiveWorkingDays: 7, recentAvgRating: 3.2, previousAvgRating: 4.8 },
    ].map((s) => scoreBurnout(s).score);
    expect(steps).toEqual([0, 32, 47, 62]);
  });

  it('explains itself: every factor with value, limit, weight and points; the score is their sum', () => {
    const result = scoreBurnout({ ...rested, hoursLast7d: 66, consecutiveWorkingDays: 8 });
    expect(result.factors).toHaveLength(8);
    expect(result.factors.find((f) => f.name === 'hours_last_7d')).toEqual({ name: 'hours_last_7d', value: 66, limit: 60, start: 48, weight: 20, points: 20 });
    expect(result.score).toBe(result.factors.reduce((s, f) => s + f.points, 0));
    expect(contributingFactors(result).map((f) => f.name)).toEqual(['hours_last_7d', 'consecutive_working_days']);
  });

  it('never exceeds 100 and the default weights add up to 100', () => {
    const worst = scoreBurnout({
      hoursLast24h: 20,
      hoursLast7d: 90,
      consecutiveWorkingDays: 14,
      lateNightJobs7d: 9,
      recentAvgRating: 1,
      previousAvgRating: 5,
      cancellations7d: 9,
      negativeFeedback7d: 9,
      latestCheckInScore: 0,
    });
    expect(worst.score).toBe(100);
    expect(Object.values(DEFAULT_BURNOUT_POLICY.factors).reduce((s, r) => s + r.weight, 0)).toBe(100);
  });
});

describe('burnout score: configurable policy', () => {
  it('takes other thresholds and weights', () => {
    const strict = burnoutPolicy({ highAt: 30, factors: { hours_last_7d: { start: 40, limit: 48 } } });
    const result = scoreBurnout({ ...rested, hoursLast7d: 48, hoursLast24h: 10 }, strict);
    expect(result.level).toBe('HIGH');
    expect(result.factors.find((f) => f.name === 'hours_last_7d')!.points).toBe(20);
  });

  it('interpolates linearly between start and limit, both directions', () => {
    expect(factorPoints(50, { weight: 10, start: 40, limit: 60, direction: 'above' })).toBe(5);
    expect(factorPoints(5, { weight: 10, start: 7, limit: 3, direction: 'below' })).toBe(5);
    expect(factorPoints(8, { weight: 10, start: 7, limit: 3, direction: 'below' })).toBe(0);
  });
});
