/**
 * `npm run bench` — the benchmarks of issue 5 on this machine's real peers: its own Temporal dev
 * server (SQLite file, WAL, synchronous=OFF), its own PostgreSQL databases, the local
 * OpenAI-compatible server at a fixed 100 ms, and an SMTP sink. Prints one table and writes
 * the figures to bench/results.json (`--quick`: bench/results.local.json).
 *
 *   npm run bench                  full size (1M customers, 10k-message campaign, …)
 *   npm run bench -- --quick       every scenario at small size, in under two minutes
 *   npm run bench -- --only=1,3    some scenarios only
 *   npm run bench -- --out=FILE    write the figures elsewhere
 *   npm run bench -- --keep-db     keep the segmentation database afterwards (to EXPLAIN by hand)
 *   npm run bench -- --campaign-size=N   scenario 2 with N customers (and N/4 for scenario 5's second size)
 *   npm run bench -- --stack       scenario 2 on the dev server and on `npm run stack`'s real Temporal
 *                                  server with 1 and 2 workers (300 customers each unless --campaign-size;
 *                                  --history-shards=N, default 4); figures go under `stack` in the output file
 *   npm run bench -- --experiment-size=N --experiment-pairs=P   scenario 2's comparison with and
 *                                  without an experiment: P alternating pairs of N-customer campaigns
 *   npm run bench -- --only=4 --coachnova-rates=5,10,20 --coachnova-seconds=60 --coachnova-workers=1000
 *                                  scenario 4's warm sweep at these rates (events/s), passes and workers
 *
 * A missed target is reported in the table, never thrown. The exit code is non-zero only when
 * the harness itself fails or a correctness check does (e.g. a customer got two emails).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gitCommit, machineInfo } from './lib/machine';
import { formatMarkdown, formatTable, newResult, type ScenarioResult } from './lib/report';
import { round } from './lib/stats';
import { sizesFor, type BenchSizes, type CoachnovaOverrides } from './sizes';
import { runSegmentation } from './scenarios/segmentation';
import { startStack, type Stack } from './lib/stack';
import { runCampaignAndMemory } from './scenarios/campaign';
import { removeFloorBundle } from './scenarios/campaign-runs';
import { runApiLoad } from './scenarios/api-load';
import { runCoachnova } from './scenarios/coachnova';
import { runStackCampaigns } from './scenarios/stack-campaign';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const ROOT = resolve(__dirname, '..');

interface Args {
  quick: boolean;
  keepDb: boolean;
  campaignSize?: number;
  experiment: { customers?: number; pairs?: number };
  coachnova: CoachnovaOverrides;
  only: Set<number>;
  out: string;
  /** Scenario 2 on the dev server and on the real server with 1 and 2 workers. */
  stack: boolean;
  historyShards: number;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const outArg = argv.find((a) => a.startsWith('--out='));
  const only = new Set((onlyArg ? onlyArg.slice(7).split(',') : ['1', '2', '3', '4', '5']).map(Number));
  const out = resolve(ROOT, outArg ? outArg.slice(6) : quick ? 'bench/results.local.json' : 'bench/results.json');
  const sizeArg = argv.find((a) => a.startsWith('--campaign-size='));
  const campaignSize = sizeArg ? Number(sizeArg.slice('--campaign-size='.length)) : undefined;
  if (campaignSize !== undefined && !(Number.isInteger(campaignSize) && campaignSize >= 20)) throw new Error('--campaign-size must be an integer >= 20');
  const shardsArg = argv.find((a) => a.startsWith('--history-shards='));
  const historyShards = shardsArg ? Number(shardsArg.slice('--history-shards='.length)) : 4;
  if (!(Number.isInteger(historyShards) && historyShards >= 1)) throw new Error('--history-shards must be a positive integer');
  const intArg = (name: string, min: number) => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    if (!arg) return undefined;
    const value = Number(arg.slice(name.length + 3));
    if (!(Number.isInteger(value) && value >= min)) throw new Error(`--${name} must be an integer >= ${min}`);
    return value;
  };
  const experiment = { customers: intArg('experiment-size', 20), pairs: intArg('experiment-pairs', 0) };
  const ratesArg = argv.find((a) => a.startsWith('--coachnova-rates='));
  const rates = ratesArg?.slice('--coachnova-rates='.length).split(',').map(Number);
  if (rates && !rates.every((r) => Number.isInteger(r) && r >= 1)) throw new Error('--coachnova-rates must be positive integers, e.g. 5,10,20');
  const coachnova = { rates: rates?.sort((a, b) => a - b), seconds: intArg('coachnova-seconds', 1), workers: intArg('coachnova-workers', 1) };
  return { quick, only, out, keepDb: argv.includes('--keep-db'), campaignSize, experiment, coachnova, stack: argv.includes('--stack'), historyShards };
}

/** --stack runs three campaigns; at this size each takes seconds to a minute on a quiet 2-core machine. */
const STACK_MODE_CUSTOMERS = 300;

const log = (message: string) => process.stderr.write(`${message}\n`);

async function timed(id: number, title: string, fn: () => Promise<ScenarioResult | ScenarioResult[]>): Promise<ScenarioResult[]> {
  log(`\n[bench] scenario ${id}: ${title}`);
  const started = performance.now();
  try {
    const results = [await fn()].flat();
    for (const r of results) r.durationMs = round(performance.now() - started, 0);
    return results;
  } catch (error) {
    const result = newResult(id, title);
    result.status = 'error';
    result.notes.push(error instanceof Error ? error.message : String(error));
    result.details.stack = error instanceof Error ? error.stack : undefined;
    log(`[bench] scenario ${id} failed: ${error instanceof Error ? error.stack : String(error)}`);
    return [result];
  }
}

async function runAll(args: Args, sizes: BenchSizes): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  if (args.stack) {
    let stack: Stack | undefined;
    try {
      log('\n[bench] starting Temporal dev server, database, LLM server and SMTP sink');
      stack = await startStack({ log });
      const s = stack;
      const options = { customers: args.campaignSize ?? STACK_MODE_CUSTOMERS, timeoutMs: sizes.campaign.timeoutMs, historyShards: args.historyShards, log };
      results.push(...(await timed(2, 'Campaign throughput on the real Temporal server', () => runStackCampaigns(s, options))));
    } finally {
      await stack?.stop();
    }
    return results;
  }
  if (args.only.has(1)) results.push(...(await timed(1, 'Segmentation', () => runSegmentation({ ...sizes.segmentation, keepDatabase: args.keepDb, log }))));
  const needsStack = [2, 3, 4, 5].some((id) => args.only.has(id));
  if (!needsStack) return results;
  let stack: Stack | undefined;
  try {
    log('\n[bench] starting Temporal dev server, database, LLM server and SMTP sink');
    stack = await startStack({ log });
    const s = stack;
    if (args.only.has(2) || args.only.has(5)) {
      results.push(...(await timed(2, 'Campaign throughput', () => runCampaignAndMemory(s, { ...sizes.campaign, log, memory: args.only.has(5), throughput: args.only.has(2) }))));
    }
    // CoachNova before the API load: the campaigns that run-segment at 20/s starts keep the dev
    // server busy for minutes afterwards, longer than a wait for idle should take
    if (args.only.has(4)) results.push(...(await timed(4, 'CoachNova reaction time', () => runCoachnova(s, { ...sizes.coachnova, log }))));
    if (args.only.has(3)) results.push(...(await timed(3, 'API under load', () => runApiLoad(s, { ...sizes.api, log }))));
  } catch (error) {
    const result = newResult(0, 'Bench stack');
    result.status = 'error';
    result.notes.push(error instanceof Error ? error.message : String(error));
    results.push(result);
    log(`[bench] stack failed: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    await stack?.stop();
    removeFloorBundle();
  }
  return results.sort((a, b) => a.id - b.id);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const sizes = sizesFor(args.quick, args.campaignSize, args.experiment, args.coachnova);
  const started = new Date();
  const results = await runAll(args, sizes);
  const report = {
    mode: args.stack ? 'stack' : args.quick ? 'quick' : 'full',
    date: started.toISOString(),
    durationSeconds: round((Date.now() - started.getTime()) / 1000, 0),
    commit: gitCommit(ROOT),
    machine: machineInfo(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    sizes,
    scenarios: results,
    markdown: formatMarkdown(results),
  };
  if (args.stack) {
    // the stack comparison sits beside the full run's figures in the same file instead of replacing them
    const existing = existsSync(args.out) ? JSON.parse(readFileSync(args.out, 'utf8')) : {};
    writeFileSync(args.out, `${JSON.stringify({ ...existing, stack: { ...report, mode: 'stack', loadAverage: loadavg().map((v) => Math.round(v * 10) / 10) } }, null, 2)}\n`);
  } else writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  const m = report.machine;
  process.stdout.write(`\nShoktiAI benchmarks (${report.mode}) — ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, commit ${report.commit.slice(0, 12)}, ${report.date}\n\n`);
  process.stdout.write(`${formatTable(results)}\n\n`);
  for (const r of results) for (const note of r.notes) process.stdout.write(`  [${r.id}] ${note}\n`);
  process.stdout.write(`\nwritten to ${args.out} in ${report.durationSeconds} s\n`);
  const failed = results.filter((r) => r.status === 'error' || r.failedChecks.length > 0);
  return failed.length ? 1 : 0;
}

// Exit explicitly: client libraries (pg, nodemailer pools, gRPC) can hold the loop open for a while.
main().then(
  (code) => process.exit(code),
  (error) => {
    log(`[bench] ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
