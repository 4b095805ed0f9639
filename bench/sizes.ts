/** How big each scenario is in the full run (issue 5's sizes) and in `--quick` (CI, < 2 minutes). */
export function sizesFor(quick: boolean) {
  return {
    segmentation: quick
      ? { customers: 20_000, sample: 2_000, runs: 5, pageSize: 500 }
      : { customers: 1_000_000, sample: 10_000, runs: 5, pageSize: 500 },
    campaign: quick
      ? { customers: 200, smallCustomers: 100, floorRuns: 3, timeoutMs: 60_000 }
      : { customers: 10_000, smallCustomers: 2_500, floorRuns: 1, timeoutMs: 15 * 60_000 },
    api: quick
      ? { durationSeconds: 5, readRate: 500, runSegmentRate: 10, runs: 1 }
      : { durationSeconds: 20, readRate: 500, runSegmentRate: 20, runs: 3 },
    coachnova: quick
      ? { workers: 50, ratePerSecond: 10, durationSeconds: 10 }
      : { workers: 1_000, ratePerSecond: 50, durationSeconds: 60 },
  };
}

export type BenchSizes = ReturnType<typeof sizesFor>;
