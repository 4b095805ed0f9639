import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Successes out of a group: bookings out of customers in an arm. */
export interface Proportion {
  successes: number;
  n: number;
}

export interface Uplift {
  /** Difference of booking rates, arm minus holdout. */
  absolute: number;
  /** absolute ÷ holdout rate; null when the holdout booked nothing. */
  relative: number | null;
  /** 95 % interval for the difference (Newcombe's hybrid score interval). */
  ci95: [number, number];
  /** Two-sided p-value of the pooled two-proportion z-test. */
  p_value: number;
}

export type UpliftResult = { uplift: Uplift; reason: null } | { uplift: null; reason: string };

/** Below this, the normal approximation behind the z-test says more about noise than about the arm. */
export const MIN_GROUP_SIZE = 30;
export const MIN_EXPECTED_COUNT = 5;

const Z_975 = normalQuantile(0.975, 0, 1);

/**
 * Wilson's score interval for one proportion (Wilson 1927); the building block of Newcombe's
 * interval for a difference.
 */
export function wilsonInterval({ successes, n }: Proportion, z = Z_975): [number, number] {
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  // exact arithmetic keeps the bounds in [0, 1]; at p = 0 or 1 rounding can step just outside
  // (1.0000000000000002), which Newcombe's interval then carried past 1
  return [Math.max(0, (centre - spread) / denominator), Math.min(1, (centre + spread) / denominator)];
}

/**
 * 95 % interval for p1 − p2 by Newcombe (1998), method 10: built from the two Wilson intervals,
 * so it stays inside [−1, 1] and behaves at small rates (booking rates are small), where the
 * Wald interval undercovers.
 */
export function newcombeInterval(a: Proportion, b: Proportion, z = Z_975): [number, number] {
  const p1 = a.successes / a.n;
  const p2 = b.successes / b.n;
  const [l1, u1] = wilsonInterval(a, z);
  const [l2, u2] = wilsonInterval(b, z);
  const d = p1 - p2;
  return [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)];
}

/** The textbook Wald interval p1 − p2 ± z·SE (unpooled); kept for comparison with published examples. */
export function waldInterval(a: Proportion, b: Proportion, z = Z_975): [number, number] {
  const p1 = a.successes / a.n;
  const p2 = b.successes / b.n;
  const se = Math.sqrt((p1 * (1 - p1)) / a.n + (p2 * (1 - p2)) / b.n);
  return [p1 - p2 - z * se, p1 - p2 + z * se];
}

/** Pooled two-proportion z-test of p1 = p2: the statistic and its two-sided p-value. */
export function twoProportionZTest(a: Proportion, b: Proportion): { z: number; p_value: number } {
  const pooled = (a.successes + b.successes) / (a.n + b.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  if (se === 0) return { z: 0, p_value: 1 }; // nobody booked, or everybody: no difference to see
  const z = (a.successes / a.n - b.successes / b.n) / se;
  return { z, p_value: 2 * (1 - normalCdf(Math.abs(z), 0, 1)) };
}

/**
 * An arm against the holdout, or why there is nothing to say yet: each group needs
 * `MIN_GROUP_SIZE` customers, and under the pooled rate at least `MIN_EXPECTED_COUNT` expected
 * bookings and non-bookings (the usual condition for the normal approximation).
 */
export function upliftVsHoldout(arm: Proportion, holdout: Proportion): UpliftResult {
  if (arm.n < MIN_GROUP_SIZE || holdout.n < MIN_GROUP_SIZE) {
    return { uplift: null, reason: `not enough data: each group needs at least ${MIN_GROUP_SIZE} customers (arm ${arm.n}, holdout ${holdout.n})` };
  }
  const pooled = (arm.successes + holdout.successes) / (arm.n + holdout.n);
  const expected = Math.min(arm.n, holdout.n) * Math.min(pooled, 1 - pooled);
  if (expected < MIN_EXPECTED_COUNT) {
    return { uplift: null, reason: `not enough data: too few bookings (or non-bookings) yet for a normal approximation (expected ${expected.toFixed(1)} < ${MIN_EXPECTED_COUNT})` };
  }
  const armRate = arm.successes / arm.n;
  const holdoutRate = holdout.successes / holdout.n;
  const absolute = armRate - holdoutRate;
  return {
    uplift: {
      absolute,
      relative: holdoutRate > 0 ? absolute / holdoutRate : null,
      ci95: newcombeInterval(arm, holdout),
      p_value: twoProportionZTest(arm, holdout).p_value,
    },
    reason: null,
  };
}
