import { createHash } from 'node:crypto';

export interface WeightedArm {
  name: string;
  weight: number;
}

/**
 * A uniform number in [0, 1) from (experiment, customer): the first 52 bits of
 * sha256("<experiment id>:<customer id>"), so the draw is the same on every run and machine and
 * independent between experiments.
 */
export function assignmentDraw(experimentId: string, customerId: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${customerId}`).digest();
  // 52 bits fit a double exactly: 6 bytes (48 bits) plus the high nibble of the 7th
  const high = digest.readUIntBE(0, 6);
  const low = digest[6] >> 4;
  return (high * 16 + low) / 2 ** 52;
}

/**
 * The arm a customer belongs to: the draw is placed on the arms' cumulative weights in the
 * order given, so each arm receives its share of customers (weights need not sum to 1).
 */
export function assignArm<A extends WeightedArm>(experimentId: string, customerId: string, arms: readonly A[]): A {
  if (arms.length === 0) throw new Error('an experiment needs at least one arm');
  const total = arms.reduce((sum, arm) => sum + arm.weight, 0);
  const point = assignmentDraw(experimentId, customerId) * total;
  let cumulative = 0;
  for (const arm of arms) {
    cumulative += arm.weight;
    if (point < cumulative) return arm;
  }
  return arms[arms.length - 1]; // rounding at the very top of the range
}
