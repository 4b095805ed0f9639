import { loadConfig } from '../../src/config';
import { workerNodeOptions } from '../../src/runtime/worker-heap';
import { seedCampaignCustomers } from '../data/campaign-data';
import { atLeast, atMost, newResult, type ScenarioResult } from '../lib/report';
import type { RunningSystem, Stack } from '../lib/stack';
import { median, mib, round } from '../lib/stats';
import { loadavg } from 'node:os';
import { waitUntilIdle, type CpuWindow } from '../lib/cpu';
import { machineInfo } from '../lib/machine';
import {
  BENCH_EXPERIMENT,
  activitiesPerCustomer,
  deliveryProblems,
  PendingError,
  runFloor,
  runPlainLoop,
  runRealCampaign,
  type ActivityShape,
  type CampaignRun,
  type FloorRun,
} from './campaign-runs';

export interface CampaignOptions {
  customers: number;
  /** The second, smaller segment of scenario 5 (does memory grow with the segment?). */
  smallCustomers: number;
  floorRuns: number;
  timeoutMs: number;
  /** Start a new worker and API for each segment size (full run), or reuse one pair (quick). */
  freshProcessesPerSize: boolean;
  /** The experiment comparison: customers per campaign, and how many A/B pairs are alternated. */
  experimentCustomers: number;
  experimentPairs: number;
  memory: boolean;
  /**
   * Scenario 2's own comparisons (floor, ceiling, plain loop, experiment). `--only=5` leaves them
   * out: memory needs only the two real campaigns, which takes a third of the time.
   */
  throughput: boolean;
  log: (message: string) => void;
}

const TARGET_RATE = 100;
/** Steps of a re-engagement run that call out of the process: the LLM and the SMTP send. */
const TARGET_FLOOR_RATIO = 1.5;
/** Issue 16: the campaign at no less than 0.9 × the additive limit of the ceiling and the plain loop. */
const TARGET_ADDITIVE_RATIO = 0.9;
const WORKER_LIMIT = 1024 ** 3;
const API_LIMIT = 300 * 1024 ** 2;
/** Ineligible customers seeded next to each segment (must get nothing). */
const controlsFor = (n: number) => Math.max(10, Math.round(n * 0.05));

async function realCampaign(stack: Stack, tag: string, n: number, options: CampaignOptions, keepRunning: boolean): Promise<{ run: CampaignRun; shape: ActivityShape | null }> {
  const customers = await seedCampaignCustomers(stack.bench.pool, tag, n, controlsFor(n));
  const reuse = !options.freshProcessesPerSize && stack.system;
  const system: RunningSystem = reuse || (await stack.startSystem(options.freshProcessesPerSize ? tag : 'main'));
  try {
    options.log(`  campaign ${tag}: ${n} customers, worker pid ${system.worker.pid}, api pid ${system.api.pid}`);
    const run = await runRealCampaign(stack, system, customers, options.timeoutMs);
    options.log(`  campaign ${tag}: ${run.check.received} mails in ${round(run.durationMs / 1000)} s = ${round(run.messagesPerSecond)} msg/s, worker peak RSS ${mib(run.memory.workerPeakBytes)} MiB, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    return { run, shape: await activitiesPerCustomer(stack, tag) };
  } finally {
    if (keepRunning || !options.freshProcessesPerSize) stack.system = system;
    else await system.stop();
  }
}

function campaignFigures(result: ScenarioResult, run: CampaignRun, floor: FloorRun[], plain: { messagesPerSecond: number; durationMs: number } | null, ceiling: FloorRun | null) {
  const floorMs = median(floor.map((f) => f.durationMs));
  const ratio = run.durationMs / floorMs;
  const c = run.check;
  result.figures.push(
    { metric: `campaign end to end (run-segment → last mail), ${run.customers.toLocaleString('en-US')} msgs`, value: round(run.messagesPerSecond), unit: 'msg/s', target: `>= ${TARGET_RATE} msg/s`, met: !run.timedOut && atLeast(run.messagesPerSecond, TARGET_RATE) },
    { metric: 'campaign duration', value: round(run.durationMs / 1000, 1), unit: 's' },
    { metric: `floor: same workflows, no-op activities (median of ${floor.length})`, value: round(run.customers / (floorMs / 1000)), unit: 'wf/s' },
    { metric: 'campaign ÷ floor (duration)', value: round(ratio, 2), unit: '×', target: `<= ${TARGET_FLOOR_RATIO}×`, met: !run.timedOut && atMost(ratio, TARGET_FLOOR_RATIO) },
  );
  if (plain) {
    result.figures.push(
      { metric: 'plain loop, same activities, no Temporal', value: round(plain.messagesPerSecond), unit: 'msg/s' },
      { metric: 'campaign ÷ plain loop (price of durability)', value: round(run.durationMs / plain.durationMs, 2), unit: '×' },
    );
  }
  if (plain && ceiling) {
    // one workflow per customer (the ceiling's cost) plus the activities' own work (the plain
    // loop's), one after the other on the same cores: what the campaign could reach if running
    // the activities under Temporal cost nothing more than the two apart
    const additive = 1 / (1 / ceiling.workflowsPerSecond + 1 / plain.messagesPerSecond);
    const ratio = run.messagesPerSecond / additive;
    result.figures.push(
      { metric: 'additive limit 1 / (1/ceiling + 1/plain loop)', value: round(additive), unit: 'msg/s' },
      { metric: 'campaign ÷ additive limit', value: round(ratio, 2), unit: '×', target: `>= ${TARGET_ADDITIVE_RATIO}×`, met: !run.timedOut && atLeast(ratio, TARGET_ADDITIVE_RATIO) },
    );
  }
  result.figures.push(
    { metric: 'customers with exactly one email', value: `${c.exactlyOnce.toLocaleString('en-US')} / ${c.expected.toLocaleString('en-US')}`, target: 'all, no duplicates', met: deliveryProblems(c).length === 0 && c.exactlyOnce === c.expected },
    { metric: 'run-segment answer (at this size)', value: round(run.runSegmentMs), unit: 'ms' },
  );
}

/** The issue-10 bar: a campaign with an experiment may be at most 10 % slower than without. */
const EXPERIMENT_MAX_REGRESSION = 1.1;

interface ExperimentComparison {
  customers: number;
  runs: Array<{ order: number; variant: 'plain' | 'experiment'; durationMs: number; msPerMail: number; cpuSeconds: number; customersPerSecond: number; messagesPerSecond: number; sent: number; heldOut: number; loadAverage: [number, number, number] }>;
}

/**
 * Issue 10: the same campaign with and without a 3-arm experiment (holdout / template / llm),
 * measured in this run on the same worker and API, alternating A B A B on fresh customers of the
 * same shape, so a load change on this shared machine falls on both variants alike. Each run is
 * timed from run-segment to the last mail the segment should get (the holdout gets none).
 */
async function compareExperiment(stack: Stack, system: RunningSystem, options: CampaignOptions, result: ScenarioResult): Promise<ExperimentComparison> {
  const n = options.experimentCustomers;
  const comparison: ExperimentComparison = { customers: n, runs: [] };
  for (let pair = 0; pair < options.experimentPairs; pair++) {
    for (const variant of ['plain', 'experiment'] as const) {
      const tag = `cmp${pair}${variant === 'plain' ? 'a' : 'b'}`;
      const customers = await seedCampaignCustomers(stack.bench.pool, tag, n, controlsFor(n));
      // the previous run's tail (reports, timers being set) must not fall into this run's window
      await Promise.all([waitUntilIdle(stack.temporal.pid, 0.15, 60_000), waitUntilIdle(system.worker.pid, 0.15, 60_000)]);
      const load = loadavg() as [number, number, number];
      // a timed-out run measures the timeout, not the campaign: allow at least 1 s per customer
      const run = await runRealCampaign(stack, system, customers, Math.max(options.timeoutMs, n * 1000), variant === 'experiment' ? BENCH_EXPERIMENT : undefined);
      if (run.timedOut) result.failedChecks.push(`experiment comparison ${tag}: timed out after ${Math.max(options.timeoutMs, n * 1000) / 1000} s`);
      const sent = run.customers - run.heldOut;
      comparison.runs.push({ order: comparison.runs.length + 1, variant, durationMs: run.durationMs, msPerMail: round(run.durationMs / Math.max(1, sent), 1), cpuSeconds: round(['temporal', 'worker', 'api'].reduce((sum, k) => sum + (run.cpu.processes[k] ?? 0), 0), 2), customersPerSecond: run.customersPerSecond, messagesPerSecond: run.messagesPerSecond, sent, heldOut: run.heldOut, loadAverage: load.map((l) => round(l, 2)) as [number, number, number] });
      options.log(`  ${variant === 'plain' ? 'A no experiment' : 'B experiment   '} (${pair + 1}/${options.experimentPairs}): ${n} customers (${run.heldOut} held out) in ${round(run.durationMs / 1000, 1)} s = ${round(run.customersPerSecond)} customers/s, load ${load.map((l) => l.toFixed(1)).join(' ')}`);
      for (const problem of deliveryProblems(run.check)) result.failedChecks.push(`experiment comparison ${tag}: ${problem}`);
      // held-out customers stay eligible (a holdout is not capped): take the run's customers out
      // of the segment so the next campaign has exactly its own
      await stack.bench.pool.query(`UPDATE users SET consent = '{"marketing": false}'::jsonb WHERE email LIKE $1`, [`${tag}-%`]);
      if (run.messagesStored !== sent) result.failedChecks.push(`experiment comparison ${tag}: ${run.messagesStored} ai_messages rows for ${sent} customers to contact`);
    }
  }
  return comparison;
}

const cpuPer = (runs: ExperimentComparison['runs'], n: number) => (median(runs.map((r) => r.cpuSeconds)) * 1000) / n;

function experimentFigures(result: ScenarioResult, comparison: ExperimentComparison) {
  const of = (variant: 'plain' | 'experiment') => comparison.runs.filter((r) => r.variant === variant);
  const plainMs = median(of('plain').map((r) => r.durationMs));
  const experimentMs = median(of('experiment').map((r) => r.durationMs));
  const ratio = experimentMs / plainMs;
  const n = comparison.customers;
  const loads = comparison.runs.map((r) => r.loadAverage[0]);
  const held = median(of('experiment').map((r) => r.heldOut));
  result.figures.push(
    { metric: `campaign, ${n.toLocaleString('en-US')} customers, no experiment (median of ${of('plain').length}, alternating)`, value: round(n / (plainMs / 1000)), unit: 'customers/s' },
    { metric: `same campaign with a holdout / template / llm experiment (median of ${of('experiment').length})`, value: round(n / (experimentMs / 1000)), unit: 'customers/s' },
    { metric: 'campaign with experiment ÷ without (duration, ratio of medians)', value: round(ratio, 2), unit: '×', target: `<= ${EXPERIMENT_MAX_REGRESSION}×`, met: atMost(ratio, EXPERIMENT_MAX_REGRESSION) },
    { metric: 'time per mail sent, with ÷ without (the holdout gets none, a third of the mails skip the LLM)', value: round(median(of('experiment').map((r) => r.msPerMail)) / median(of('plain').map((r) => r.msPerMail)), 2), unit: '×' },
    // CPU of the dev server, worker and API moves far less with the machine's load than wall time
    { metric: 'CPU per segment customer (dev server + worker + API), without / with', value: `${round(cpuPer(of('plain'), n))} / ${round(cpuPer(of('experiment'), n))}`, unit: 'ms' },
    { metric: 'CPU per mail sent, with ÷ without', value: round(median(of('experiment').map((r) => r.cpuSeconds / Math.max(1, r.sent))) / median(of('plain').map((r) => r.cpuSeconds / Math.max(1, r.sent))), 2), unit: '×' },
    { metric: 'load average (1 min) during the comparison, min–max', value: `${round(Math.min(...loads), 1)}–${round(Math.max(...loads), 1)}` },
  );
  result.notes.push(
    `Experiment comparison: ${comparison.runs.length} campaigns of ${n.toLocaleString('en-US')} fresh customers each on the same worker and API, alternating A (no experiment) and B (arms holdout / template / llm, weights 1:1:1; median ${held} held out, who get a decision and no mail), each timed from run-segment to the last mail the segment should get; customers/s counts every customer of the segment. Runs: ${comparison.runs.map((r) => `${r.variant === 'plain' ? 'A' : 'B'} ${round(r.durationMs / 1000, 1)} s`).join(', ')}.`,
  );
}

/**
 * What Temporal alone costs per workflow on this machine, from the ceiling run's CPU: the most
 * workflows per second these cores could run with every step free.
 */
function ceilingFigures(ceiling: FloorRun, customers: number) {
  const { temporal = 0, worker = 0 } = ceiling.cpu.processes;
  const serverMs = (temporal * 1000) / customers;
  const workerMs = (worker * 1000) / customers;
  const cores = machineInfo().cpus;
  return [
    { metric: 'ceiling: same workflows, no activities at all', value: round(ceiling.workflowsPerSecond), unit: 'wf/s' },
    { metric: 'ceiling CPU per workflow: dev server + worker', value: `${round(serverMs)} + ${round(workerMs)}`, unit: 'ms' },
    { metric: `most workflows/s ${cores} cores can run (CPU-bound, steps free)`, value: round((cores * 1000) / (serverMs + workerMs)), unit: 'wf/s' },
  ];
}

/**
 * CPU per message (or workflow) of each process in one run: where the time goes. PostgreSQL is
 * the backends of the bench's database; the bench process is the SMTP sink and the LLM server
 * (and, in the plain loop, the activities themselves); others is everything else on this shared
 * machine meanwhile (not part of the total).
 */
function cpuSplitFigure(label: string, cpu: CpuWindow, n: number) {
  const per = (seconds: number | undefined) => round(((seconds ?? 0) * 1000) / Math.max(1, n), 1);
  const { temporal, worker, api, postgres } = cpu.processes;
  const parts: Array<[string, number]> = [
    ['dev server', per(temporal)],
    ['worker', per(worker)],
    ['API', per(api)],
    ['PostgreSQL', per(postgres)],
    ['bench', per(cpu.bench)],
  ];
  const total = round(parts.reduce((sum, [, ms]) => sum + ms, 0), 1);
  return {
    metric: `${label} CPU per ${label === 'ceiling' ? 'workflow' : 'message'}: ${parts.map(([name]) => name).join(' + ')} = total (others)`,
    value: `${parts.map(([, ms]) => ms).join(' + ')} = ${total} (${per(cpu.othersCores * cpu.wallSeconds)})`,
    unit: 'ms',
  };
}

function memoryResult(small: CampaignRun, full: CampaignRun, floor: FloorRun[], fresh: boolean): ScenarioResult {
  const result = newResult(5, 'Memory (peak RSS during scenario 2)', { segments: `${small.customers.toLocaleString('en-US')} and ${full.customers.toLocaleString('en-US')}` });
  const growth = (a: number, b: number) => (a > 0 ? round(b / a, 2) : Number.NaN);
  const heap = (run: CampaignRun) => {
    const h = run.memory.workerHeap;
    return h?.samples ? `${mib(h.heapUsedBytes)} / ${mib(h.heapTotalBytes)} / ${mib(h.externalBytes)} / ${mib(h.restAtRssPeakBytes)}` : 'not sampled';
  };
  result.figures.push(
    { metric: `worker peak RSS, ${full.customers.toLocaleString('en-US')} customers`, value: mib(full.memory.workerPeakBytes), unit: 'MiB', target: '<= 1024 MiB', met: atMost(full.memory.workerPeakBytes, WORKER_LIMIT) },
    { metric: `API peak RSS, ${full.customers.toLocaleString('en-US')} customers`, value: mib(full.memory.apiPeakBytes), unit: 'MiB', target: '<= 300 MiB', met: atMost(full.memory.apiPeakBytes, API_LIMIT) },
    { metric: `worker peak RSS, ${small.customers.toLocaleString('en-US')} customers`, value: mib(small.memory.workerPeakBytes), unit: 'MiB' },
    { metric: `API peak RSS, ${small.customers.toLocaleString('en-US')} customers`, value: mib(small.memory.apiPeakBytes), unit: 'MiB' },
    { metric: `worker growth for ${round(full.customers / small.customers, 1)}× the segment`, value: growth(small.memory.workerPeakBytes, full.memory.workerPeakBytes), unit: '×' },
    ...(floor.length ? [{ metric: 'floor worker peak RSS (Temporal alone)', value: mib(Math.max(...floor.map((f) => f.workerPeakBytes))), unit: 'MiB' }] : []),
    { metric: `campaign msg/s while measured, ${small.customers.toLocaleString('en-US')} / ${full.customers.toLocaleString('en-US')} customers`, value: `${round(small.messagesPerSecond, 1)} / ${round(full.messagesPerSecond, 1)}`, unit: 'msg/s' },
    { metric: 'worker heap limit (V8 heap_size_limit)', value: full.memory.workerHeap?.heapLimitBytes ? mib(full.memory.workerHeap.heapLimitBytes) : 'not sampled', unit: 'MiB' },
    { metric: `worker main heap used / reserved / external / rest of RSS at its peak, ${small.customers.toLocaleString('en-US')}`, value: heap(small), unit: 'MiB' },
    { metric: `worker main heap used / reserved / external / rest of RSS at its peak, ${full.customers.toLocaleString('en-US')}`, value: heap(full), unit: 'MiB' },
  );
  result.notes.push(
    `Separate processes as deployed: the worker as \`npm run worker\` starts it (\`node --import tsx src/worker.ts\` with NODE_OPTIONS="${workerNodeOptions()}", src/runtime/worker-heap.ts) and \`src/api/server.ts\`, ${fresh ? 'fresh for each segment size' : 'the same pair for both sizes (quick mode)'}; RSS sampled from /proc every 200 ms while the campaign runs.`,
    `Whole-life high-water marks (VmHWM, include start-up and workflow bundling): worker ${mib(full.memory.workerHighWaterBytes)} MiB, API ${mib(full.memory.apiHighWaterBytes)} MiB at ${full.customers.toLocaleString('en-US')} customers.`,
  );
  result.details = { small: small.memory, full: full.memory, floorWorkerPeakBytes: floor.map((f) => f.workerPeakBytes) };
  return result;
}

/**
 * Scenario 2 (campaign throughput against the floor and a plain loop) and scenario 5 (memory of
 * the worker and API processes during it, at two segment sizes). The full-size system is left
 * running for scenarios 3 and 4.
 */
export async function runCampaignAndMemory(stack: Stack, options: CampaignOptions): Promise<ScenarioResult[]> {
  const result = newResult(2, 'Campaign throughput', { customers: options.customers });
  const memoryPending = () => {
    const m = newResult(5, 'Memory (peak RSS during scenario 2)');
    m.status = result.status;
    m.notes.push(...result.notes.slice(0, 1));
    return m;
  };
  const config = loadConfig({});
  try {
    const small = await realCampaign(stack, 'small', options.smallCustomers, options, false);
    if (!options.throughput) {
      const full = await realCampaign(stack, 'full', options.customers, options, true);
      result.details = { small: small.run, full: full.run };
      return [memoryResult(small.run, full.run, [], options.freshProcessesPerSize)];
    }
    const shape = small.shape ?? { activities: 2, localActivities: 3, signals: 1, workflowId: '(none found)' };
    options.log(`  one re-engagement run: ${shape.activities} activities, ${shape.localActivities} local activities, ${shape.signals} signals`);

    const floorInput = {
      customers: options.customers,
      pageSize: config.SE_CAMPAIGN_PAGE_SIZE,
      concurrency: config.SE_CAMPAIGN_CONCURRENCY,
      maxChildrenPerRun: config.SE_MAX_CHILDREN_PER_RUN,
      activitiesPerCustomer: shape.activities + shape.localActivities,
      localActivitiesPerCustomer: shape.localActivities,
      holdSeconds: config.SE_ATTRIBUTION_WINDOW_SECONDS,
    };
    const floor: FloorRun[] = [];
    for (let i = 0; i < options.floorRuns; i++) {
      const run = await runFloor(stack, `${i}`, floorInput);
      options.log(`  floor ${i + 1}/${options.floorRuns}: ${round(run.durationMs / 1000, 1)} s = ${round(run.workflowsPerSecond)} wf/s`);
      floor.push(run);
    }
    // The ceiling: the same child workflows doing nothing at all, what one workflow per customer
    // costs here before any step runs.
    const ceiling = await runFloor(stack, 'ceiling', { ...floorInput, activitiesPerCustomer: 0, localActivitiesPerCustomer: 0 });
    options.log(`  ceiling (no activities): ${round(ceiling.durationMs / 1000, 1)} s = ${round(ceiling.workflowsPerSecond)} wf/s`);

    const full = await realCampaign(stack, 'full', options.customers, options, true);
    const plainCustomers = await seedCampaignCustomers(stack.bench.pool, 'plain', options.customers, controlsFor(options.customers));
    const plain = await runPlainLoop(stack, plainCustomers, config.SE_CAMPAIGN_CONCURRENCY, options.timeoutMs);
    options.log(`  plain loop: ${plain.sent} in ${round(plain.durationMs / 1000, 1)} s = ${round(plain.messagesPerSecond)} msg/s`);

    const comparison = options.experimentPairs > 0 ? await compareExperiment(stack, await stack.ensureSystem(options.log), options, result) : null;

    campaignFigures(result, full.run, floor, plain, ceiling);
    if (comparison) experimentFigures(result, comparison);
    result.figures.push(...ceilingFigures(ceiling, options.customers));
    result.figures.push(
      cpuSplitFigure('campaign', full.run.cpu, full.run.customers),
      cpuSplitFigure('ceiling', ceiling.cpu, options.customers),
      cpuSplitFigure('plain loop', plain.cpu, plain.sent),
      { metric: 'load average (1 min) at the start: campaign / ceiling / plain loop', value: [full.run.cpu, ceiling.cpu, plain.cpu].map((c) => round(c.loadAverage, 1)).join(' / ') },
    );
    for (const [label, run] of [['full', full.run], ['small', small.run]] as const) {
      for (const problem of deliveryProblems(run.check)) result.failedChecks.push(`${label} campaign: ${problem}`);
      if (run.messagesStored !== run.customers) result.failedChecks.push(`${label} campaign: ${run.messagesStored} ai_messages rows for ${run.customers} customers`);
    }
    for (const problem of deliveryProblems(plain.check)) result.failedChecks.push(`plain loop: ${problem}`);
    if (full.run.timedOut) result.notes.push(`The campaign did not finish within ${options.timeoutMs / 1000} s: the rate is what was sent by then.`);
    result.notes.push(
      `Floor: bench/workflows/floor.ts — the campaign's shape (pages of ${config.SE_CAMPAIGN_PAGE_SIZE}, window ${config.SE_CAMPAIGN_CONCURRENCY}, continue-as-new after ${config.SE_MAX_CHILDREN_PER_RUN} children, same search attributes) with ${shape.activities + shape.localActivities} no-op activities per child (${shape.localActivities} of them local, like the real run), as counted in ${shape.workflowId}. Ceiling: the same children with no activities.`,
      `Plain loop: the same activities called directly, ${config.SE_CAMPAIGN_CONCURRENCY} customers at a time, no Temporal.`,
      'CPU per message, by process: "bench" is the bench process — the SMTP sink and the LLM server, and in the plain loop the activities themselves; "others" is what the rest of this shared machine used meanwhile, not in the total.',
    );
    const cpu = full.run.cpu;
    result.notes.push(
      `CPU during the ${full.run.customers.toLocaleString('en-US')}-message campaign (${cpu.wallSeconds} s): Temporal dev server ${cpu.processes.temporal} s, worker ${cpu.processes.worker} s, API ${cpu.processes.api} s, PostgreSQL backends of the bench database ${cpu.processes.postgres} s, bench process (SMTP sink, LLM server) ${cpu.bench} s; machine ${Math.round(cpu.machineBusy * 100)} % busy, of which ${cpu.othersCores} cores used by other processes on this shared machine.`,
    );
    result.details = { small: small.run, full: full.run, floor, ceiling, plain, activityShape: shape, experimentComparison: comparison };
    return options.memory ? [result, memoryResult(small.run, full.run, floor, options.freshProcessesPerSize)] : [result];
  } catch (error) {
    if (!(error instanceof PendingError)) throw error;
    result.status = 'pending';
    result.notes.unshift(error.message);
    return options.memory ? [result, memoryPending()] : [result];
  }
}
