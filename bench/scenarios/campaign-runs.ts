import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createActivities, type Activities } from '../../src/activities';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/lib/logger';
import { openDependencies } from '../../src/runtime/dependencies';
import { assignArm } from '../../src/smartengage/arm-assignment';
import { resolveCriteria, type SegmentCriteriaInput } from '../../src/smartengage/criteria';
import { campaignSettings, reengagementWorkflowId } from '../../src/smartengage/core/settings';
import { withApprovedPromotion } from '../../src/smartengage/core/promotion';
import { approvalRequest } from '../../src/smartengage/core/approval-request';
import type { ReengagementSettings, SegmentPageMember } from '../../src/smartengage/types';
import type { CampaignCustomers } from '../data/campaign-data';
import { getInternal, postInternal } from '../lib/http';
import { startCpuWindow, type CpuWindow } from '../lib/cpu';
import { samplePostgresCpu } from '../lib/postgres-cpu';
import { BENCH_VAR, spawnService, waitForWorker } from '../lib/processes';
import { startHeapSampling, type HeapPeaks } from '../lib/heap-sampler';
import { workerNodeOptions } from '../../src/runtime/worker-heap';
import type { RunningSystem, Stack } from '../lib/stack';
import { mapPool, sleep } from '../lib/stats';
import { FLOOR_CAMPAIGN_WORKFLOW, type floorCampaign, type FloorCampaignInput } from '../workflows/floor';

/** Thrown when the code a scenario drives has not landed yet: the scenario is reported pending. */
export class PendingError extends Error {}

/** Every customer's send window is open whatever the hour, so the run measures sending, not waiting. */
export const OPEN_WINDOW: SegmentCriteriaInput = { booking_cadence_days: 21, send_window_start: '00:00', send_window_end: '23:59' };

/** How long duplicates get to show up after the last expected mail before the count is checked. */
const DUPLICATE_GRACE_MS = 2000;

export interface DeliveryCheck {
  expected: number;
  received: number;
  exactlyOnce: number;
  missing: number;
  duplicates: number;
  controlsContacted: number;
  /** Mail to anyone not in this run (an earlier run's customer contacted again). */
  strangers: number;
}

/**
 * The experiment issue 10 asks the campaign to carry at no more than 10 % cost: a holdout, the
 * approved template and the LLM (the active prompt version), equal weights. Explanations are
 * always on (every campaign records its decisions).
 */
export const BENCH_EXPERIMENT = {
  name: 'bench: holdout / template / llm',
  arms: [
    { name: 'holdout', kind: 'holdout', weight: 1 },
    { name: 'template', kind: 'template', weight: 1 },
    { name: 'llm', kind: 'llm', weight: 1 },
  ],
} as const;

export interface CampaignRun {
  /** Customers in the segment (all of them get a decision; with an experiment the holdout gets no mail). */
  customers: number;
  /** Customers held out by the experiment (0 without one). */
  heldOut: number;
  /** Segment customers decided per second: customers ÷ (run-segment → last expected mail). */
  customersPerSecond: number;
  runSegmentMs: number;
  jobId: string | null;
  estimated: number | null;
  durationMs: number;
  messagesPerSecond: number;
  timedOut: boolean;
  check: DeliveryCheck;
  messagesStored: number;
  job: unknown;
  cpu: CpuWindow;
  memory: { workerPeakBytes: number; apiPeakBytes: number; workerHighWaterBytes: number; apiHighWaterBytes: number; workerHeap: HeapPeaks | null };
}

/** Counts what the SMTP sink received against who should (and should not) have been mailed. */
export function checkDelivery(stack: Stack, customers: CampaignCustomers): DeliveryCheck {
  const counts = stack.smtp.countsByRecipient();
  const expected = new Set(customers.eligible);
  const controls = new Set(customers.controls);
  let exactlyOnce = 0;
  let duplicates = 0;
  let missing = 0;
  for (const address of expected) {
    const n = counts.get(address) ?? 0;
    if (n === 1) exactlyOnce++;
    else if (n === 0) missing++;
    else duplicates++;
  }
  let controlsContacted = 0;
  let strangers = 0;
  for (const [address] of counts) {
    if (controls.has(address)) controlsContacted++;
    else if (!expected.has(address)) strangers++;
  }
  return { expected: expected.size, received: stack.smtp.accepted.length, exactlyOnce, missing, duplicates, controlsContacted, strangers };
}

export function deliveryProblems(check: DeliveryCheck): string[] {
  const problems: string[] = [];
  if (check.missing) problems.push(`${check.missing} customers got no email`);
  if (check.duplicates) problems.push(`${check.duplicates} customers got more than one email`);
  if (check.controlsContacted) problems.push(`${check.controlsContacted} ineligible customers were emailed`);
  if (check.strangers) problems.push(`${check.strangers} customers outside the segment were emailed`);
  return problems;
}

async function messagesStored(stack: Stack, tag: string): Promise<number> {
  const { rows } = await stack.bench.pool.query<{ n: string }>(
    `SELECT count(DISTINCT m.user_id) AS n FROM ai_messages m JOIN users u ON u.id = m.user_id WHERE u.email LIKE $1 AND m.agent_type = 'smartengage'`,
    [`${tag}-%`],
  );
  return Number(rows[0].n);
}

/**
 * One real campaign: POST run-segment on the running API, the real worker sends through the
 * 100 ms LLM and the SMTP sink; timed from the request to the last expected mail accepted.
 */
export async function runRealCampaign(stack: Stack, system: RunningSystem, customers: CampaignCustomers, timeoutMs: number, experiment?: typeof BENCH_EXPERIMENT): Promise<CampaignRun> {
  const segment = customers.eligible.length;
  stack.smtp.reset();
  system.worker.startSampling();
  system.api.startSampling();
  const workerHeap = system.worker.metricsUrl ? startHeapSampling(system.worker.metricsUrl) : undefined;
  const postgres = samplePostgresCpu(stack.bench.pool, [stack.bench.name]);
  const cpu = startCpuWindow({ temporal: stack.temporal.pid, worker: system.worker.pid, api: system.api.pid });
  const started = Date.now();
  const answer = await postInternal(`${system.baseUrl}/internal/ai/smartengage/run-segment`, { segment_criteria: OPEN_WINDOW, ...(experiment ? { experiment } : {}) });
  if (answer.status === 404) {
    await workerHeap?.();
    await postgres.stop();
    system.worker.stopSampling();
    system.api.stopSampling();
    throw new PendingError('POST /internal/ai/smartengage/run-segment answers 404: not implemented yet');
  }
  if (answer.status !== 202) throw new Error(`run-segment answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  // With an experiment the holdout gets no mail: who is held out follows from the stored
  // experiment id by the same deterministic hash the worker uses.
  const heldOut = experiment ? await heldOutAddresses(stack, customers, answer.body?.experiment_id as string) : new Set<string>();
  const expected: CampaignCustomers = heldOut.size
    ? { ...customers, eligible: customers.eligible.filter((a) => !heldOut.has(a)), controls: [...customers.controls, ...heldOut] }
    : customers;
  const n = expected.eligible.length;
  let lastAt: number;
  let timedOut = false;
  try {
    lastAt = await stack.smtp.waitFor(n, timeoutMs);
  } catch {
    timedOut = true;
    lastAt = stack.smtp.accepted.at(-1)?.at ?? Date.now();
  }
  const cpuWindow = cpu({ postgres: await postgres.stop() });
  await sleep(DUPLICATE_GRACE_MS);
  const workerMemory = system.worker.stopSampling();
  const heapPeaks = (await workerHeap?.()) ?? null;
  const apiMemory = system.api.stopSampling();
  const check = checkDelivery(stack, expected);
  const durationMs = lastAt - started;
  const jobId = (answer.body?.job_id as string | undefined) ?? null;
  const job = jobId ? (await getInternal(`${system.baseUrl}/internal/ai/smartengage/jobs/${jobId}`)).body : null;
  return {
    customers: segment,
    heldOut: heldOut.size,
    customersPerSecond: segment / (durationMs / 1000),
    runSegmentMs: answer.ms,
    jobId,
    estimated: answer.body?.estimated_customers ?? null,
    durationMs,
    messagesPerSecond: Math.min(check.received, n) / (durationMs / 1000),
    timedOut,
    check,
    messagesStored: await messagesStored(stack, customers.tag),
    job,
    cpu: cpuWindow,
    memory: {
      workerPeakBytes: workerMemory.peakBytes,
      apiPeakBytes: apiMemory.peakBytes,
      workerHighWaterBytes: system.worker.highWaterBytes(),
      apiHighWaterBytes: system.api.highWaterBytes(),
      workerHeap: heapPeaks,
    },
  };
}

async function heldOutAddresses(stack: Stack, customers: CampaignCustomers, experimentId: string): Promise<Set<string>> {
  if (!experimentId) throw new Error('run-segment with an experiment answered without experiment_id');
  const { rows } = await stack.bench.pool.query<{ id: string; email: string }>(`SELECT id, email FROM users WHERE email = ANY($1)`, [customers.eligible]);
  const arms = BENCH_EXPERIMENT.arms;
  return new Set(rows.filter((r) => assignArm(experimentId, r.id, arms).kind === 'holdout').map((r) => r.email.toLowerCase()));
}

export interface ActivityShape {
  activities: number;
  localActivities: number;
  signals: number;
  workflowId: string;
}

/** How many activities one real re-engagement run scheduled (read from its history). */
export async function activitiesPerCustomer(stack: Stack, tag: string): Promise<ActivityShape | null> {
  const { rows } = await stack.bench.pool.query<{ workflow_id: string | null }>(
    `SELECT m.workflow_id FROM ai_messages m JOIN users u ON u.id = m.user_id WHERE u.email LIKE $1 AND m.workflow_id IS NOT NULL LIMIT 1`,
    [`${tag}-%`],
  );
  const workflowId = rows[0]?.workflow_id;
  if (!workflowId) return null;
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return {
    workflowId,
    activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
    // version markers of patched() are markers too; only the SDK's local-activity markers count
    localActivities: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
    signals: events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length,
  };
}

let floorBundlePath: string | undefined;

async function floorBundle(): Promise<string> {
  if (floorBundlePath) return floorBundlePath;
  const bundle = await bundleWorkflowCode({
    workflowsPath: resolve(__dirname, '../workflows/floor.ts'),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => console.error(m) },
  });
  mkdirSync(BENCH_VAR, { recursive: true });
  floorBundlePath = join(BENCH_VAR, `floor-bundle-${process.pid}.js`);
  writeFileSync(floorBundlePath, bundle.code);
  return floorBundlePath;
}

/** Removes this run's floor bundle file (called once the bench is done). */
export function removeFloorBundle(): void {
  if (floorBundlePath) rmSync(floorBundlePath, { force: true });
  floorBundlePath = undefined;
}

export interface FloorRun {
  localActivities: number;
  durationMs: number;
  cpu: CpuWindow;
  workflowsPerSecond: number;
  reported: number;
  workerPeakBytes: number;
}

/** The floor: the campaign's shape with no-op activities, in its own worker process. */
export async function runFloor(stack: Stack, name: string, input: Omit<FloorCampaignInput, 'state'>): Promise<FloorRun> {
  const taskQueue = `bench-floor-${name}`;
  const worker = spawnService(`floor-${name}-worker`, 'bench/processes/floor-worker.ts', {
    TEMPORAL_ADDRESS: stack.temporal.address,
    TEMPORAL_NAMESPACE: stack.temporal.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    BENCH_FLOOR_BUNDLE: await floorBundle(),
    PAYLOAD_CODEC_KEY: stack.payloadCodecKey,
    NODE_OPTIONS: workerNodeOptions(),
  });
  try {
    await waitForWorker(worker, stack.client, taskQueue);
    worker.startSampling();
    const postgres = samplePostgresCpu(stack.bench.pool, [stack.bench.name]);
    const cpu = startCpuWindow({ temporal: stack.temporal.pid, worker: worker.pid });
    const started = Date.now();
    const handle = await stack.client.workflow.start<typeof floorCampaign>(FLOOR_CAMPAIGN_WORKFLOW, { taskQueue, workflowId: `floor-${name}-${started}`, args: [input] });
    const reported = (await handle.result()) as number;
    const durationMs = Date.now() - started;
    const cpuWindow = cpu({ postgres: await postgres.stop() });
    const memory = worker.stopSampling();
    return {
      localActivities: input.localActivitiesPerCustomer ?? 0,
      durationMs,
      cpu: cpuWindow,
      workflowsPerSecond: input.customers / (durationMs / 1000),
      reported,
      workerPeakBytes: memory.peakBytes,
    };
  } finally {
    await worker.stop();
  }
}

export interface PlainLoopRun {
  durationMs: number;
  cpu: CpuWindow;
  messagesPerSecond: number;
  sent: number;
  skipped: number;
  check: DeliveryCheck;
}

/**
 * The price of durability: the same activities, in the same order, called directly in this
 * process (no Temporal), `concurrency` customers at a time (the campaign's window).
 */
export async function runPlainLoop(stack: Stack, customers: CampaignCustomers, concurrency: number, timeoutMs: number): Promise<PlainLoopRun> {
  const config = loadConfig({ ...stack.env('bench-plain'), LOG_LEVEL: 'warn' });
  const deps = await openDependencies(config, createLogger('warn'));
  const acts = createActivities(deps);
  const criteria = resolveCriteria(OPEN_WINDOW, config);
  const settings = campaignSettings(criteria, config).reengagement;
  const asOf = new Date().toISOString();
  let cursor: string | null = null;
  let exhausted = false;
  const queue: SegmentPageMember[] = [];
  let fetching: Promise<void> | null = null;
  const fetchPage = async () => {
    const page = await acts.fetchSegmentPage({ criteria, asOf, after: cursor, limit: criteria.page_size });
    queue.push(...page.members);
    cursor = page.nextCursor;
    exhausted = page.members.length < criteria.page_size;
  };
  const next = async (): Promise<SegmentPageMember | undefined> => {
    while (queue.length === 0 && !exhausted) {
      fetching ??= fetchPage().finally(() => {
        fetching = null;
      });
      await fetching;
    }
    return queue.shift();
  };
  stack.smtp.reset();
  let sent = 0;
  let skipped = 0;
  const postgres = samplePostgresCpu(stack.bench.pool, [stack.bench.name]);
  const cpu = startCpuWindow({ temporal: stack.temporal.pid });
  const started = Date.now();
  let cpuWindow: CpuWindow;
  try {
    await Promise.race([
      mapPool(Array.from({ length: concurrency }), concurrency, async () => {
        for (let member = await next(); member; member = await next()) {
          if (await reengageDirectly(acts, member, settings)) sent++;
          else skipped++;
        }
      }),
      sleep(timeoutMs).then(() => {
        throw new Error(`plain loop: ${sent} sent after ${timeoutMs} ms`);
      }),
    ]);
    // before the pool closes: its backends are what the loop cost PostgreSQL
    cpuWindow = cpu({ postgres: await postgres.stop() });
  } finally {
    await deps.close();
  }
  const lastAt = stack.smtp.accepted.at(-1)?.at ?? Date.now();
  await sleep(DUPLICATE_GRACE_MS);
  const durationMs = lastAt - started;
  return { durationMs, cpu: cpuWindow, messagesPerSecond: sent / (durationMs / 1000), sent, skipped, check: checkDelivery(stack, customers) };
}

/**
 * reengageCustomer's happy path (and composeSafeMessage's first draft), minus Temporal: the
 * same activities with the same inputs as the run's — the merged database steps (plan with its
 * `scheduled` decision, claim, context; approval gate, deep link, message, link attached), the
 * draft, the safety check with the context, the send — so the plain loop does the campaign's work.
 */
async function reengageDirectly(acts: Activities, member: SegmentPageMember, settings: ReengagementSettings): Promise<boolean> {
  // no campaign row: the decisions are stored without one (the same statements)
  const campaignId = null;
  const workflowId = `${reengagementWorkflowId(member.customerId, member.localDate)}-plain`;
  const { customerId, serviceId } = member;
  const claim = { customerId, workflowId, capHours: settings.frequencyCapHours, campaignId };
  const step = await acts.claimReminder({
    plan: { customerId, windowStart: settings.sendWindowStart, windowEnd: settings.sendWindowEnd, sendTime: settings.sendTime ?? 'window', workflowId, campaignId },
    claim,
    context: { customerId, serviceId },
  });
  if (step.waitMs > 0) throw new Error(`plain loop: ${customerId} outside the send window`);
  if (!step.claim?.claimed || !step.reminder) return false;
  const { locale, context } = step.reminder;
  const request = { agent: 'smartengage' as const, messageType: 'REMINDER' as const, locale, context: withApprovedPromotion(context, settings) };
  const generated = await acts.generateDraft(request);
  const allowedNames = [context.first_name, context.service_name].filter((v): v is string => typeof v === 'string');
  const verdict = await acts.checkSafety({ draft: generated.draft, locale, allowedNames, agent: 'smartengage', messageType: 'REMINDER', context: request.context, source: 'model' });
  if (!verdict.safe) throw new Error(`plain loop: unsafe draft for ${customerId}`);
  const composed = { ...generated, safetyChecks: { safe: true, checks: verdict.checks, attempts: 1, rejected: [] } };
  const messageId = randomUUID();
  const recorded = await acts.recordReminder({
    approval: approvalRequest({ messageId, workflowId, customerId, campaignId, locale, composed, settings: settings.approval!, holdClaimHours: settings.frequencyCapHours }),
    link: { customerId, serviceId, workflowId, ttlHours: settings.deepLinkTtlHours, promoCode: settings.promoCode },
    message: { idempotencyKey: `${workflowId}:reminder`, messageId, userId: customerId, role: 'CUSTOMER', agent: 'smartengage', channel: 'EMAIL', messageType: 'REMINDER', locale, composed, campaignId, correlationId: 'bench-plain-loop', workflowId },
  });
  if (!recorded.messageId) throw new Error(`plain loop: the draft for ${customerId} waits for approval (${recorded.gate?.wait ? recorded.gate.reason : '?'})`);
  await acts.sendMessageEmail({ messageId: recorded.messageId, marketing: true });
  return true;
}
