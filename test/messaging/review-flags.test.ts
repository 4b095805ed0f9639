import { reviewFlags } from '../../src/safety/review-flags';

const limits = { moderationScore: 0.4, scriptMargin: 0.05 };

describe('review flags: passed every rule, but close to a limit', () => {
  it('flags a passed moderation check scoring at or above the review threshold', () => {
    expect(reviewFlags([{ name: 'moderation', passed: true, score: 0.45 }], 'en', limits)).toEqual([
      expect.objectContaining({ check: 'moderation', score: 0.45, threshold: 0.4 }),
    ]);
    expect(reviewFlags([{ name: 'moderation', passed: true, score: 0.39 }], 'en', limits)).toEqual([]);
  });

  it('does not flag a failed or skipped check (a failure is not "close"; a skipped check has no score)', () => {
    expect(reviewFlags([{ name: 'moderation', passed: false, score: 0.97 }], 'en', limits)).toEqual([]);
    expect(reviewFlags([{ name: 'moderation', passed: true, skipped: true }], 'en', limits)).toEqual([]);
    expect(reviewFlags([{ name: 'language', passed: false, score: 0.5 }], 'bn', limits)).toEqual([]);
  });

  it('flags a script share within the margin above the locale minimum (Bengali 70 %, English 90 %)', () => {
    expect(reviewFlags([{ name: 'language', passed: true, score: 0.72 }], 'bn', limits)).toEqual([expect.objectContaining({ check: 'language', threshold: 0.75 })]);
    expect(reviewFlags([{ name: 'language', passed: true, score: 0.75 }], 'bn', limits)).toEqual([]);
    expect(reviewFlags([{ name: 'language', passed: true, score: 0.93 }], 'en', limits)).toEqual([expect.objectContaining({ threshold: 0.95 })]);
    expect(reviewFlags([{ name: 'language', passed: true, score: 1 }], 'en', limits)).toEqual([]);
  });
});
