import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
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
 * An open-loop load at a steady rate: request i is due at start + i/rate whatever became of the
 * earlier ones, and its latency counts from when it was due (a late generator or a full
 * connection pool adds to it, so queueing is not hidden). autocannon's `overallRate` was used
 * before: it sends each second's quota as one burst over its connections, which measures a
 * 25-way burst, not a steady 500 requests/s.
 */
export async function fixedRateLoad(
  baseUrl: string,
  request: LoadRequest,
  rate: number,
  durationSeconds: number,
  pids: Record<string, number>,
  maxSockets = 64,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const url = new URL(baseUrl);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const total = Math.round(rate * durationSeconds);
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const path = typeof request.path === 'string' ? request.path : request.path();
      const headers = { ...(request.body ? { 'content-type': 'application/json' } : {}), ...request.headers };
      const req = httpRequest({ host: url.hostname, port: url.port, path, method: request.method, headers, agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - due);
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          resolve();
        });
      });
      req.on('timeout', () => {
        timeouts++;
        req.destroy();
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(request.body);
    });

  const cpu = startCpuWindow(pids);
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      while (next < total && started + (next * 1000) / rate <= now) inFlight.push(send(started + (next++ * 1000) / rate));
      if (next >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    requests: latencies.length,
    // served rate: over the time until the last answer, so a server that falls behind shows it
    requestsPerSecond: round(latencies.length / elapsedSeconds, 1),
    p50: round(percentile(latencies, 50), 2),
    p95: round(percentile(latencies, 95), 2),
    p99: round(percentile(latencies, 99), 2),
    max: round(Math.max(...latencies), 2),
    statuses,
    errors,
    timeouts,
    cpu: cpu(),
  };
}
