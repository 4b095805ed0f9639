import { loadavg } from 'node:os';
import { seedCampaignCustomers } from '../data/campaign-data';
import { INTERNAL_API_KEY, RUN_SECRETS, type Stack } from '../lib/stack';
import { signDeepLinkToken } from '../../src/smartengage/deep-link-token';
import { fixedRateLoad, type LoadRequest, type LoadResult } from '../lib/load';
import { assertRunning } from '../lib/processes';
import { waitUntilIdle } from '../lib/cpu';
import { samplePostgresCpu } from '../lib/postgres-cpu';
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

/** How long the bench waits for the signals of the first clicks to reach their workflows. */
const BACKLOG_TIMEOUT_MS = 15 * 60_000;

/** Real reminders a campaign sends when none exist yet (scenario 3 alone): copies are made of them. */
const SEED_CAMPAIGN = 100;

interface LinkToken {
  token: string;
  tokenId: string;
}

/**
 * Deep-link tokens of sent reminders nobody has clicked yet, `needed` of them: a run of first
 * clicks must be first clicks throughout, or its figure is that of repeats. A full run finds
 * them among scenario 2's reminders (12,500). Otherwise (a quick run, scenario 3 alone) the
 * missing ones are copies of real sent reminders: a new message row and deep link each, owned
 * by the same still-running reminder workflow, so each first click stores CLICKED on its own
 * message and its signal is a real workflow task on a real workflow (which records only its own
 * message's response: the copy costs the server and worker a workflow task, not the activity).
 * Sending that many real reminders on this shared machine takes from minutes to an hour.
 */
async function freshDeepLinkTokens(stack: Stack, needed: number, options: ApiLoadOptions): Promise<{ tokens: LinkToken[]; copies: number }> {
  const read = async () => {
    const { rows } = await stack.bench.pool.query<{ deep_link: string; token_id: string }>(
      `SELECT m.deep_link, d.token_id FROM ai_messages m JOIN deep_links d ON d.message_id = m.id
       WHERE m.deep_link LIKE '%/l/%' AND coalesce(m.idempotency_key, '') NOT LIKE 'bench-copy:%' AND d.first_clicked_at IS NULL AND d.expires_at > now() + interval '1 hour'
       ORDER BY m.created_at LIMIT $1`,
      [needed],
    );
    return rows.map((r) => ({ token: new URL(r.deep_link).pathname.split('/l/')[1], tokenId: r.token_id })).filter((t) => t.token);
  };
  let tokens = await read();
  if (tokens.length >= needed) return { tokens, copies: 0 };
  if (tokens.length < 50) {
    options.log(`  ${tokens.length} unclicked reminders: running a ${SEED_CAMPAIGN}-customer campaign`);
    const system = await stack.ensureSystem(options.log);
    // after scenario 4 at 50 events/s the dev server works through its backlog for minutes
    await waitUntilIdle(stack.temporal.pid, 0.15, 600_000);
    const customers = await seedCampaignCustomers(stack.bench.pool, `links${Date.now()}`, SEED_CAMPAIGN, 0);
    await runRealCampaign(stack, system, customers, 600_000);
    tokens = await read();
    if (tokens.length < 50) throw new Error(`only ${tokens.length} deep-link tokens after a ${SEED_CAMPAIGN}-customer campaign: the link load would measure error pages`);
  }
  const copies = await copySentReminders(stack, tokens, needed - tokens.length);
  options.log(`  ${tokens.length} unclicked reminders, ${copies.length} copies of them for the first-click run`);
  return { tokens: [...tokens, ...copies], copies: copies.length };
}

/** `count` copies of the given sent reminders (message row + deep link, same workflow), signed as the API signs. */
async function copySentReminders(stack: Stack, sources: LinkToken[], count: number): Promise<LinkToken[]> {
  const { rows: columns } = await stack.bench.pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'ai_messages' AND column_name NOT IN ('id', 'idempotency_key')`,
  );
  const list = columns.map((c) => c.column_name).join(', ');
  const { rows } = await stack.bench.pool.query<{ token_id: string; customer_id: string; service_id: string; promo_code: string | null; expires_at: Date }>(
    `WITH source AS (
       SELECT d.*, row_number() OVER (ORDER BY d.token_id) - 1 AS n, count(*) OVER () AS total FROM deep_links d WHERE d.token_id = ANY($2::uuid[])
     ),
     copy AS (
       SELECT gen_random_uuid() AS new_message_id, gen_random_uuid() AS new_token_id, s.*
       FROM generate_series(0, $1::int - 1) g JOIN source s ON s.n = g % s.total
     ),
     messages AS (
       INSERT INTO ai_messages (id, idempotency_key, ${list})
       SELECT c.new_message_id, 'bench-copy:' || c.new_message_id, ${columns.map((c) => `m.${c.column_name}`).join(', ')}
       FROM copy c JOIN ai_messages m ON m.id = c.message_id
     )
     INSERT INTO deep_links (token_id, customer_id, service_id, message_id, promo_code, expires_at)
     SELECT c.new_token_id, c.customer_id, c.service_id, c.new_message_id, c.promo_code, c.expires_at FROM copy c
     RETURNING token_id, customer_id, service_id, promo_code, expires_at`,
    [count, sources.map((s) => s.tokenId)],
  );
  const secrets = { JWT_SECRET: RUN_SECRETS.JWT_SECRET, DEEPLINK_SECRET: RUN_SECRETS.DEEPLINK_SECRET };
  return Promise.all(
    rows.map(async (r) => ({
      tokenId: r.token_id,
      token: await signDeepLinkToken({ tokenId: r.token_id, customerId: r.customer_id, serviceId: r.service_id, promoCode: r.promo_code, expiresAt: new Date(r.expires_at) }, secrets),
    })),
  );
}

const outboxRows = async (stack: Stack) => Number((await stack.bench.pool.query<{ n: string }>('SELECT count(*) AS n FROM signal_outbox')).rows[0].n);

/**
 * The first clicks' state after the load: messages not CLICKED (or stronger) must be none, and
 * the outbox is watched until every signal owed has been delivered (seconds after the load).
 */
async function firstClickOutcome(stack: Stack, tokenIds: string[], loadEndedAt: number) {
  const started = Date.now();
  let pending = await outboxRows(stack);
  const atEnd = pending;
  while (pending > 0 && Date.now() - started < BACKLOG_TIMEOUT_MS) {
    await new Promise((r) => setTimeout(r, 1000));
    pending = await outboxRows(stack);
  }
  const { rows } = await stack.bench.pool.query<{ clicked: string; not_clicked: string }>(
    `SELECT count(*) FILTER (WHERE m.user_response IN ('CLICKED', 'BOOKED', 'REPLIED')) AS clicked,
            count(*) FILTER (WHERE m.user_response IS NULL OR m.user_response NOT IN ('CLICKED', 'BOOKED', 'REPLIED')) AS not_clicked
     FROM deep_links d JOIN ai_messages m ON m.id = d.message_id WHERE d.token_id = ANY($1::uuid[])`,
    [tokenIds],
  );
  return {
    outboxAtEnd: atEnd,
    outboxLeft: pending,
    drainedSeconds: pending === 0 ? round((Date.now() - loadEndedAt) / 1000, 1) : null,
    clicked: Number(rows[0].clicked),
    notClicked: Number(rows[0].not_clicked),
  };
}

interface Endpoint {
  name: string;
  request: LoadRequest;
  rate: number;
  targetMs: number;
  okStatus: number;
  /** Runs of this load (options.runs unless given). */
  runs?: number;
  /** false: measured at once, without waiting for the dev server to go idle. */
  waitForIdle?: boolean;
}

function medianOf(runs: LoadResult[], key: 'p50' | 'p95' | 'p99' | 'requestsPerSecond'): number {
  return round(median(runs.map((r) => r[key])), 2);
}

/**
 * Scenario 3: GET /services and GET /l/:token at 500 requests/s, POST run-segment with a small
 * segment at a lower fixed rate (each one starts a campaign workflow), against the API process.
 * The links are loaded twice over: one run of first clicks (every request a token never clicked,
 * so each stores CLICKED and owes its workflow a signal), then repeat clicks of the same tokens;
 * each reported on its own, since a median over both hid the first-click run.
 */
export async function runApiLoad(stack: Stack, options: ApiLoadOptions): Promise<ScenarioResult> {
  const result = newResult(3, 'API under load', { seconds: options.durationSeconds, runs: options.runs });
  const system = await stack.ensureSystem(options.log);
  const firstClicks = Math.round(options.readRate * options.durationSeconds);
  const { tokens, copies } = await freshDeepLinkTokens(stack, firstClicks, options);
  await seedCampaignCustomers(stack.bench.pool, 'apiload', 200, 0);
  let next = 0;
  const linkRequest: LoadRequest = { method: 'GET', path: () => `/l/${tokens[next++ % tokens.length].token}` };
  const endpoints: Endpoint[] = [
    { name: 'GET /services', request: { method: 'GET', path: '/services' }, rate: options.readRate, targetMs: READ_P95_MS, okStatus: 200 },
    { name: 'GET /l/:token first clicks', request: linkRequest, rate: options.readRate, targetMs: READ_P95_MS, okStatus: 302, runs: 1 },
    // straight after the first clicks, while their signals are still being delivered
    { name: 'GET /l/:token repeat clicks', request: linkRequest, rate: options.readRate, targetMs: READ_P95_MS, okStatus: 302, waitForIdle: false },
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
  let firstClickEndedAt = 0;
  for (const endpoint of endpoints) {
    if (endpoint.name === 'POST run-segment' && firstClickEndedAt) {
      const outcome = await firstClickOutcome(stack, tokens.slice(0, firstClicks).map((t) => t.tokenId), firstClickEndedAt);
      options.log(`  first clicks: ${outcome.outboxAtEnd} signals owed when the load ended, ${outcome.drainedSeconds === null ? `${outcome.outboxLeft} still owed` : `all delivered ${outcome.drainedSeconds} s after it`}; ${outcome.clicked} / ${outcome.clicked + outcome.notClicked} messages CLICKED or stronger`);
      result.figures.push(
        { metric: 'first clicks: signals still owed (outbox) when the load ended', value: outcome.outboxAtEnd },
        {
          metric: 'first clicks: all signals delivered',
          value: outcome.drainedSeconds === null ? `${outcome.outboxLeft} still owed after ${BACKLOG_TIMEOUT_MS / 60_000} min` : `${outcome.drainedSeconds} s after the first-click load`,
        },
        { metric: 'first clicks: messages stored CLICKED (or stronger)', value: `${outcome.clicked.toLocaleString('en-US')} / ${(outcome.clicked + outcome.notClicked).toLocaleString('en-US')}`, target: 'all', met: outcome.notClicked === 0 },
      );
      if (outcome.notClicked > 0) result.failedChecks.push(`${outcome.notClicked} clicked messages are not stored CLICKED`);
      firstClickEndedAt = 0;
    }
    // the campaigns of an earlier load must not share the machine with this one
    if (endpoint.waitForIdle !== false) {
      const waited = await waitUntilIdle(stack.temporal.pid);
      if (waited > 5000) options.log(`  waited ${round(waited / 1000)} s for the dev server to go idle`);
    }
    const runs: LoadResult[] = [];
    for (let i = 0; i < (endpoint.runs ?? options.runs); i++) {
      const pids = { api: system.api.pid, worker: system.worker.pid, temporal: stack.temporal.pid };
      assertRunning(system.api);
      const load = `${round(loadavg()[0], 1)}`;
      // the bench database's own backends: the server is shared, so "others" cannot tell PostgreSQL's part
      const postgres = samplePostgresCpu(stack.bench.pool, [stack.bench.name], 250);
      const run = await fixedRateLoad(system.baseUrl, endpoint.request, endpoint.rate, options.durationSeconds, pids);
      run.cpu.processes.postgres = round(await postgres.stop(), 2);
      assertRunning(system.api);
      const apiCores = round(run.cpu.processes.api / run.cpu.wallSeconds, 2);
      const temporalCores = round(run.cpu.processes.temporal / run.cpu.wallSeconds, 2);
      const workerCores = round(run.cpu.processes.worker / run.cpu.wallSeconds, 2);
      const postgresCores = round(run.cpu.processes.postgres / run.cpu.wallSeconds, 2);
      options.log(
        `  ${endpoint.name} @ ${endpoint.rate}/s: p50 ${run.p50} ms, p95 ${run.p95} ms, p99 ${run.p99} ms, max ${run.max} ms, ${run.requestsPerSecond} req/s, statuses ${JSON.stringify(run.statuses)}, API ${apiCores} / Temporal ${temporalCores} / worker ${workerCores} / PostgreSQL ${postgresCores} cores, others ${run.cpu.othersCores} cores, load ${load}`,
      );
      runs.push(run);
    }
    if (endpoint.name.endsWith('first clicks')) firstClickEndedAt = Date.now();
    all[`${endpoint.name} @ ${endpoint.rate}/s`] = runs;
    const p95 = medianOf(runs, 'p95');
    // a request that failed or timed out (no answer) counts as sent and not served
    const total = runs.reduce((n, r) => n + r.requests + r.errors, 0);
    const ok = runs.reduce((n, r) => n + (r.statuses[endpoint.okStatus] ?? 0), 0);
    const of = runs.length > 1 ? ` (median of ${runs.length} runs)` : '';
    result.figures.push(
      { metric: `${endpoint.name} @ ${endpoint.rate}/s: p50 / p99${of}`, value: `${medianOf(runs, 'p50')} / ${medianOf(runs, 'p99')}`, unit: 'ms' },
      { metric: `${endpoint.name} @ ${endpoint.rate}/s: p95${of}`, value: p95, unit: 'ms', target: `<= ${endpoint.targetMs} ms`, met: atMost(p95, endpoint.targetMs) && ok === total },
      { metric: `${endpoint.name} @ ${endpoint.rate}/s: served, ${endpoint.okStatus} answers`, value: `${medianOf(runs, 'requestsPerSecond')} req/s, ${ok.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}` },
    );
    const last = runs[runs.length - 1].cpu;
    result.notes.push(
      `${endpoint.name} @ ${endpoint.rate}/s: API process used ${round(last.processes.api / last.wallSeconds, 2)} cores, Temporal ${round(last.processes.temporal / last.wallSeconds, 2)}, worker ${round(last.processes.worker / last.wallSeconds, 2)}, PostgreSQL (the bench database's backends) ${round(last.processes.postgres / last.wallSeconds, 2)}, load generator ${round(last.bench / last.wallSeconds, 2)}; ${last.othersCores} cores used by other processes (last run).`,
    );
    if (ok !== total) result.notes.push(`${endpoint.name} @ ${endpoint.rate}/s: ${total - ok} of ${total} answers were not ${endpoint.okStatus}: ${JSON.stringify(runs.map((r) => r.statuses))}`);
  }
  result.notes.push(
    `Open-loop steady rate (bench/lib/load.ts: request i due at i/rate, latency counted from when it was due, keep-alive, up to 64 connections), ${options.durationSeconds} s per run, median of ${options.runs} run(s) except the first clicks (one run); latency percentiles computed from every response. /l/:token: one run over ${firstClicks.toLocaleString('en-US')} reminders' tokens never clicked before (${copies.toLocaleString('en-US')} of them copies of real sent reminders, sharing their workflows) (every request a first click: CLICKED stored, a signal owed to the workflow), then repeat clicks of the same tokens, measured straight after while the first clicks' signals are delivered; run-segment asks for at most ${SMALL_SEGMENT} customers and starts a real campaign each time.`,
  );
  result.details = { runs: all, firstClickTokens: firstClicks, copiedReminders: copies };
  return result;
}
