/** How big each scenario is in the full run (issue 5's sizes) and in `--quick` (CI, < 2 minutes). */
export function sizesFor(quick: boolean, campaignSize?: number, experiment?: { customers?: number; pairs?: number }, coachnova: CoachnovaOverrides = {}) {
  // experimentCustomers / experimentPairs: issue 10's comparison, A (no experiment) and B (a
  // 3-arm experiment) alternated `pairs` times on campaigns of that many customers
  const campaign = quick
    ? { customers: 100, smallCustomers: 50, floorRuns: 1, timeoutMs: 60_000, freshProcessesPerSize: false, experimentCustomers: 100, experimentPairs: 2 }
    : { customers: 10_000, smallCustomers: 2_500, floorRuns: 1, timeoutMs: 30 * 60_000, freshProcessesPerSize: true, experimentCustomers: 1_000, experimentPairs: 3 };
  if (campaignSize) Object.assign(campaign, { customers: campaignSize, smallCustomers: Math.max(10, Math.round(campaignSize / 4)) });
  if (experiment?.customers) campaign.experimentCustomers = experiment.customers;
  if (experiment?.pairs !== undefined) campaign.experimentPairs = experiment.pairs;
  return {
    segmentation: quick
      ? { customers: 20_000, sample: 2_000, runs: 5, pageSize: 500 }
      : { customers: 1_000_000, sample: 10_000, runs: 5, pageSize: 500 },
    campaign,
    api: quick
      ? { durationSeconds: 3, readRate: 500, runSegmentRate: 10, runSegmentSustainableRate: undefined, runs: 1 }
      : // run-segment also at a rate whose campaigns this machine can run as they come (5 customers each)
        { durationSeconds: 20, readRate: 500, runSegmentRate: 20, runSegmentSustainableRate: 2, runs: 3 },
    coachnova: coachnovaSizes(quick, coachnova),
  };
}

export type BenchSizes = ReturnType<typeof sizesFor>;

export interface CoachnovaOverrides {
  rates?: number[];
  seconds?: number;
  workers?: number;
}

/**
 * Scenario 4 (issue 16): a cold pass at the 20 events/s, then warm passes at rising
 * rates until one misses. Quick mode is the same method on fewer workers for fewer seconds.
 */
function coachnovaSizes(quick: boolean, overrides: CoachnovaOverrides) {
  const sizes = quick
    ? { workers: 100, targetRate: 20, sweepRates: [5, 10, 20], durationSeconds: 10 }
    : { workers: 1_000, targetRate: 20, sweepRates: [5, 10, 15, 20, 25, 30, 40, 50], durationSeconds: 60 };
  return {
    ...sizes,
    ...(overrides.rates ? { sweepRates: overrides.rates } : {}),
    ...(overrides.seconds ? { durationSeconds: overrides.seconds } : {}),
    ...(overrides.workers ? { workers: overrides.workers } : {}),
  };
}
