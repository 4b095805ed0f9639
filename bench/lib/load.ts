import autocannon from 'autocannon';
import { startCpuWindow, type CpuWindow } from './cpu';
import { percentile, round } from './stats';

export interface LoadRequest {
  method: 'GET' | 'POST';
  /** A fixed path, or one per request (e.g. a different deep-link token each time). */
  path: string | (() => string);
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  cpu: CpuWindow;
}

/**
 * autocannon at a fixed overall rate; every response's latency is kept so p95 is exact
 * (autocannon's own summary has p90 and p97.5 but no p95).
 */
export async function fixedRateLoad(
  baseUrl: string,
  request: LoadRequest,
  rate: number,
  durationSeconds: number,
  pids: Record<string, number>,
  connections = 25,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const path = request.path;
  const options: autocannon.Options = {
    url: baseUrl,
    connections,
    duration: durationSeconds,
    overallRate: rate,
    timeout: 10,
    requests: [
      {
        method: request.method,
        path: typeof path === 'string' ? path : '/',
        headers: { ...(request.body ? { 'content-type': 'application/json' } : {}), ...request.headers },
        body: request.body,
        ...(typeof path === 'function' ? { setupRequest: (req: autocannon.Request) => ({ ...req, path: path() }) } : {}),
      },
    ],
  };
  const cpu = startCpuWindow(pids);
  const summary = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
  return {
    requests: latencies.length,
    requestsPerSecond: round(latencies.length / durationSeconds, 1),
    p50: round(percentile(latencies, 50), 2),
    p95: round(percentile(latencies, 95), 2),
    p99: round(percentile(latencies, 99), 2),
    max: round(Math.max(...latencies), 2),
    statuses,
    errors: summary.errors,
    timeouts: summary.timeouts,
    cpu: cpu(),
  };
}
