/**
 * Where a worker's resident memory goes, from its own /metrics (prom-client's process metrics
 * and the heap limit): the main thread's V8 heap (used and reserved), memory outside it (Buffers,
 * ArrayBuffers) and RSS. What RSS holds beyond those is the workflow thread's isolate, the
 * Temporal core (Rust) and code. Peaks of each over the sampled window, in bytes.
 */
export interface HeapPeaks {
  samples: number;
  heapLimitBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  rssBytes: number;
  /** RSS minus the main heap's reserved size and external memory, at the RSS peak. */
  restAtRssPeakBytes: number;
}

const METRICS = {
  heapLimitBytes: 'nodejs_heap_size_limit_bytes',
  heapUsedBytes: 'nodejs_heap_size_used_bytes',
  heapTotalBytes: 'nodejs_heap_size_total_bytes',
  externalBytes: 'nodejs_external_memory_bytes',
  rssBytes: 'process_resident_memory_bytes',
} as const;

function parse(text: string): Partial<Record<keyof typeof METRICS, number>> {
  const values: Partial<Record<keyof typeof METRICS, number>> = {};
  for (const [key, name] of Object.entries(METRICS) as Array<[keyof typeof METRICS, string]>) {
    const match = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
    if (match) values[key] = Number(match[1]);
  }
  return values;
}

export function startHeapSampling(metricsUrl: string, intervalMs = 1000): () => Promise<HeapPeaks> {
  const peaks: HeapPeaks = { samples: 0, heapLimitBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, rssBytes: 0, restAtRssPeakBytes: 0 };
  let inFlight: Promise<void> = Promise.resolve();
  const sample = () => {
    inFlight = fetch(metricsUrl, { signal: AbortSignal.timeout(intervalMs * 5) })
      .then((res) => res.text())
      .then((text) => {
        const v = parse(text);
        peaks.samples++;
        for (const key of Object.keys(METRICS) as Array<keyof typeof METRICS>) peaks[key] = Math.max(peaks[key], v[key] ?? 0);
        if ((v.rssBytes ?? 0) >= peaks.rssBytes) peaks.restAtRssPeakBytes = (v.rssBytes ?? 0) - (v.heapTotalBytes ?? 0) - (v.externalBytes ?? 0);
      })
      // a busy worker may answer late; a missed sample is only a missed sample
      .catch(() => undefined);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return async () => {
    clearInterval(timer);
    await inFlight;
    return peaks;
  };
}
