import { seedCampaignCustomers } from '../data/campaign-data';
import { INTERNAL_API_KEY, type Stack } from '../lib/stack';
import { fixedRateLoad, type LoadRequest, type LoadResult } from '../lib/load';
import { assertRunning } from '../lib/processes';
import { waitUntilIdle } from '../lib/cpu';
import { atMost, newResult, type ScenarioResult } from '../lib/report';
import { median, round } from '../lib/stats';
import { OPEN_WINDOW, runRealCampaign } from './campaign-runs';

export interface ApiLoadOptions {
  durationSeconds: number;
  readRate: number;
  runSegmentRate: number;
  /** A second run-segment load whose campaigns the machine keeps up with (undefined: skipped). */
  runSegmentSustainableRate?: number;
  runs: number;
  log: (message: string) => void;
}

const READ_P95_MS = 20;
const RUN_SEGMENT_P95_MS = 100;
/** Customers a load-test campaign may take: a small segment, not an empty one. */
const SMALL_SEGMENT = 5;

/** Deep-link tokens of sent reminders; runs a small campaign first when none exist yet. */
async function deepLinkTokens(stack: Stack, options: ApiLoadOptions): Promise<string[]> {
  const read = async () => {
    const { rows } = await stack.bench.pool.query<{ deep_link: string }>(`SELECT deep_link FROM ai_messages WHERE deep_link LIKE '%/l/%' LIMIT 20000`);
    return rows.map((r) => new URL(r.deep_link).pathname.split('/l/')[1]).filter(Boolean);
  };
  let tokens = await read();
  if (tokens.length >= 50) return tokens;
  options.log('  no sent reminders yet: running a 100-customer campaign for deep-link tokens');
  const system = await stack.ensureSystem(options.log);
  // after scenario 4 at 50 events/s the dev server works through its backlog for minutes
  await waitUntilIdle(stack.temporal.pid, 0.15, 600_000);
  const customers = await seedCampaignCustomers(stack.bench.pool, 'links', 100, 0);
  await runRealCampaign(stack, system, customers, 300_000);
  tokens = await read();
  if (tokens.length < 50) throw new Error(`only ${tokens.length} deep-link tokens after a 100-customer campaign: the link load would measure error pages`);
  return tokens;
}

interface Endpoint {
  name: string;
  request: LoadRequest;
  rate: number;
  targetMs: number;
  okStatus: number;
}

function medianOf(runs: LoadResult[], key: 'p50' | 'p95' | 'p99' | 'requestsPerSecond'): number {
  return round(median(runs.map((r) => r[key])), 2);
}

/**
 * Scenario 3: GET /services and GET /l/:token at 500 requests/s, POST run-segment with a small
 * segment at a lower fixed rate (each one starts a campaign workflow), against the API process.
 */
export async function runApiLoad(stack: Stack, options: ApiLoadOptions): Promise<ScenarioResult> {
  const result = newResult(3, 'API under load', { seconds: options.durationSeconds, runs: options.runs });
  const system = await stack.ensureSystem(options.log);
  const tokens = await deepLinkTokens(stack, options);
  await seedCampaignCustomers(stack.bench.pool, 'apiload', 200, 0);
  let next = 0;
  const endpoints: Endpoint[] = [
    { name: 'GET /services', request: { method: 'GET', path: '/services' }, rate: options.readRate, targetMs: READ_P95_MS, okStatus: 200 },
    { name: 'GET /l/:token', request: { method: 'GET', path: () => `/l/${tokens[next++ % tokens.length]}` }, rate: options.readRate, targetMs: READ_P95_MS, okStatus: 302 },
    ...[options.runSegmentSustainableRate, options.runSegmentRate]
      .filter((rate): rate is number => rate !== undefined)
      .map((rate) => ({
        name: 'POST run-segment',
        request: {
          method: 'POST' as const,
          path: '/internal/ai/smartengage/run-segment',
          headers: { 'x-api-key': INTERNAL_API_KEY },
          body: JSON.stringify({ segment_criteria: { ...OPEN_WINDOW, max_customers: SMALL_SEGMENT } }),
        },
        rate,
        targetMs: RUN_SEGMENT_P95_MS,
        okStatus: 202,
      })),
  ];
  const all: Record<string, LoadResult[]> = {};
  for (const endpoint of endpoints) {
    // the campaigns of an earlier load must not share the machine with this one
    const waited = await waitUntilIdle(stack.temporal.pid);
    if (waited > 5000) options.log(`  waited ${round(waited / 1000)} s for the dev server to go idle`);
    const runs: LoadResult[] = [];
    for (let i = 0; i < options.runs; i++) {
      const pids = { api: system.api.pid, worker: system.worker.pid, temporal: stack.temporal.pid };
      assertRunning(system.api);
      const run = await fixedRateLoad(system.baseUrl, endpoint.request, endpoint.rate, options.durationSeconds, pids);
      assertRunning(system.api);
      const apiCores = round(run.cpu.processes.api / run.cpu.wallSeconds, 2);
      options.log(`  ${endpoint.name} @ ${endpoint.rate}/s: p50 ${run.p50} ms, p95 ${run.p95} ms, p99 ${run.p99} ms, ${run.requestsPerSecond} req/s, statuses ${JSON.stringify(run.statuses)}, API ${apiCores} cores, others ${run.cpu.othersCores} cores`);
      runs.push(run);
    }
    all[`${endpoint.name} @ ${endpoint.rate}/s`] = runs;
    const p95 = medianOf(runs, 'p95');
    const total = runs.reduce((n, r) => n + r.requests, 0);
    const ok = runs.reduce((n, r) => n + (r.statuses[endpoint.okStatus] ?? 0), 0);
    result.figures.push(
      { metric: `${endpoint.name} @ ${endpoint.rate}/s: p50 / p99`, value: `${medianOf(runs, 'p50')} / ${medianOf(runs, 'p99')}`, unit: 'ms' },
      { metric: `${endpoint.name} @ ${endpoint.rate}/s: p95`, value: p95, unit: 'ms', target: `<= ${endpoint.targetMs} ms`, met: atMost(p95, endpoint.targetMs) && ok === total },
      { metric: `${endpoint.name} @ ${endpoint.rate}/s: served, ${endpoint.okStatus} answers`, value: `${medianOf(runs, 'requestsPerSecond')} req/s, ${ok.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}` },
    );
    const last = runs[runs.length - 1].cpu;
    result.notes.push(
      `${endpoint.name} @ ${endpoint.rate}/s: API process used ${round(last.processes.api / last.wallSeconds, 2)} cores, Temporal ${round(last.processes.temporal / last.wallSeconds, 2)}, load generator ${round(last.bench / last.wallSeconds, 2)}; ${last.othersCores} cores used by other processes (last run).`,
    );
    if (ok !== total) result.notes.push(`${endpoint.name} @ ${endpoint.rate}/s: ${total - ok} of ${total} answers were not ${endpoint.okStatus}: ${JSON.stringify(runs.map((r) => r.statuses))}`);
  }
  result.notes.push(
    `Open-loop steady rate (bench/lib/load.ts: request i due at i/rate, latency counted from when it was due, keep-alive, up to 64 connections), ${options.durationSeconds} s per run, median of ${options.runs} run(s); latency percentiles computed from every response. /l/:token cycles through ${tokens.length.toLocaleString('en-US')} real tokens (each click is recorded; the first click of a token is signalled to its workflow); run-segment asks for at most ${SMALL_SEGMENT} customers and starts a real campaign each time.`,
  );
  result.details = { runs: all, tokens: tokens.length };
  return result;
}
