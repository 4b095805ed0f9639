/** How big each scenario is in the full run (issue 5's sizes) and in `--quick` (CI, < 2 minutes). */
export function sizesFor(quick: boolean, campaignSize?: number, experiment?: { customers?: number; pairs?: number }) {
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
    coachnova: quick
      ? { workers: 40, ratePerSecond: 5, durationSeconds: 8, sustainableRate: undefined }
      : // the load, and first a rate this machine can sustain (the best figure reached)
        { workers: 1_000, ratePerSecond: 50, durationSeconds: 60, sustainableRate: 5 },
  };
}

export type BenchSizes = ReturnType<typeof sizesFor>;
