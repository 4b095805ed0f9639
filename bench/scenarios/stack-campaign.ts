import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { startStack as startRealStack, stackOptionsFromEnv, type Stack as RealStack } from '../../src/stack/stack';
import { seedCampaignCustomers, type CampaignCustomers } from '../data/campaign-data';
import { postInternal } from '../lib/http';
import { BENCH_VAR } from '../lib/processes';
import { newResult, type ScenarioResult } from '../lib/report';
import { INTERNAL_API_KEY, type Stack } from '../lib/stack';
import { round, sleep } from '../lib/stats';
import { checkDelivery, deliveryProblems, OPEN_WINDOW } from './campaign-runs';

export interface StackCampaignOptions {
  customers: number;
  timeoutMs: number;
  /** numHistoryShards of the real server's persistence (fixed for the life of its databases). */
  historyShards: number;
  log: (message: string) => void;
}

interface Run {
  label: string;
  workers: number;
  customers: number;
  durationMs: number;
  messagesPerSecond: number;
  timedOut: boolean;
  problems: string[];
  loadAverage: number;
}

const controlsFor = (n: number) => Math.max(10, Math.round(n * 0.05));
const load1 = () => round(loadavg()[0], 1);

/** run-segment on `baseUrl`, timed to the last expected mail at the bench's SMTP sink. */
async function campaign(bench: Stack, label: string, workers: number, baseUrl: string, customers: CampaignCustomers, timeoutMs: number, log: (m: string) => void): Promise<Run> {
  const n = customers.eligible.length;
  bench.smtp.reset();
  const loadAverage = load1();
  const started = Date.now();
  const answer = await postInternal(`${baseUrl}/internal/ai/smartengage/run-segment`, { segment_criteria: OPEN_WINDOW });
  if (answer.status !== 202) throw new Error(`${label}: run-segment answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  let lastAt: number;
  let timedOut = false;
  try {
    lastAt = await bench.smtp.waitFor(n, timeoutMs);
  } catch {
    timedOut = true;
    lastAt = bench.smtp.accepted.at(-1)?.at ?? Date.now();
  }
  await sleep(2000); // duplicates get time to show up
  const check = checkDelivery(bench, customers);
  const durationMs = lastAt - started;
  const run: Run = { label, workers, customers: n, durationMs, messagesPerSecond: Math.min(check.received, n) / (durationMs / 1000), timedOut, problems: deliveryProblems(check), loadAverage };
  log(`  ${label}: ${check.received} mails in ${round(durationMs / 1000, 1)} s = ${round(run.messagesPerSecond, 1)} msg/s (load average ${loadAverage})`);
  return run;
}

async function dropDatabases(databaseUrl: string, names: string[]): Promise<void> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const pg = new PgClient({ connectionString: url.toString() });
  await pg.connect();
  try {
    for (const name of names) await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
}

/**
 * `npm run bench -- --stack`: scenario 2 (a campaign, run-segment to the last mail) on the dev
 * server with one worker, then on `npm run stack`'s topology — the real Temporal server on
 * PostgreSQL, its own databases — with one worker and with two, in the same run, on the same
 * application database, LLM server and SMTP sink. Each campaign has its own new customers.
 */
export async function runStackCampaigns(bench: Stack, options: StackCampaignOptions): Promise<ScenarioResult> {
  const { log } = options;
  const result = newResult(2, 'Campaign throughput: dev server vs the real Temporal server (npm run stack)', { customers: options.customers, historyShards: options.historyShards });
  const runs: Run[] = [];
  const seed = (tag: string) => seedCampaignCustomers(bench.bench.pool, `${tag}-${process.pid}`, options.customers, controlsFor(options.customers));

  log('  dev server, 1 worker');
  const dev = await bench.startSystem('stackmode-dev');
  try {
    runs.push(await campaign(bench, 'dev server, 1 worker', 1, dev.baseUrl, await seed('sdev'), options.timeoutMs, log));
  } finally {
    await dev.stop();
  }

  const temporalDatabase = `temporal_bench_${process.pid}`;
  const env = bench.env('bench-stack');
  const pick = (names: string[]) => Object.fromEntries(names.filter((name) => env[name]).map((name) => [name, env[name]]));
  let stack: RealStack | undefined;
  try {
    log(`  starting the real Temporal server on PostgreSQL (${options.historyShards} history shards), 1 worker, 1 API`);
    stack = await startRealStack({
      ...stackOptionsFromEnv({}, log),
      databaseUrl: bench.bench.url,
      temporalDatabase,
      taskQueue: 'bench-stack',
      workers: 1,
      apis: 1,
      apiPort: 0,
      historyShards: options.historyShards,
      dir: join(BENCH_VAR, `stack-${process.pid}`),
      demoData: false,
      ui: true,
      // the bench's peers and keys; the stack sets the Temporal address, database and public URL
      serviceEnv: pick(['LOG_LEVEL', 'INTERNAL_API_KEY', 'DATABASE_POOL_MAX', 'SMTP_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'JWT_SECRET', 'DEEPLINK_SECRET', 'PAYLOAD_CODEC_KEY', 'CN_QUIET_HOURS_START', 'CN_QUIET_HOURS_END', 'CN_DAILY_MESSAGE_CAP']),
    });
    if (INTERNAL_API_KEY !== stack.env.INTERNAL_API_KEY) throw new Error('the stack did not take the bench key');
    log(`  stack up: Temporal ${stack.server.address}, UI ${stack.ui?.url}, codec ${stack.codec?.endpoint}, API ${stack.apis[0].url}`);
    const api = stack.apis[0].url!;
    runs.push(await campaign(bench, 'real server, 1 worker', 1, api, await seed('s1w'), options.timeoutMs, log));
    await stack.addWorker();
    runs.push(await campaign(bench, 'real server, 2 workers', 2, api, await seed('s2w'), options.timeoutMs, log));
  } finally {
    await stack?.stop();
    await dropDatabases(bench.bench.url, [temporalDatabase, `${temporalDatabase}_visibility`]).catch((error) => log(`  could not drop ${temporalDatabase}: ${String(error)}`));
  }

  const [devRun, one, two] = runs;
  result.figures.push(
    ...runs.map((run) => ({ metric: `${run.label}: ${run.customers} msgs, run-segment → last mail`, value: round(run.messagesPerSecond, 1), unit: 'msg/s' })),
    { metric: 'real server 1 worker ÷ dev server 1 worker', value: round(one.messagesPerSecond / devRun.messagesPerSecond, 2), unit: '×' },
    { metric: 'real server 2 workers ÷ 1 worker', value: round(two.messagesPerSecond / one.messagesPerSecond, 2), unit: '×' },
    { metric: 'load average (1 min) at the start of each campaign', value: runs.map((run) => run.loadAverage).join(' / ') },
  );
  for (const run of runs) {
    for (const problem of run.problems) result.failedChecks.push(`${run.label}: ${problem}`);
    if (run.timedOut) result.notes.push(`${run.label}: not finished within ${options.timeoutMs / 1000} s; the rate is what was sent by then.`);
  }
  result.notes.push(
    `Same machine, same application database, LLM server (100 ms) and SMTP sink for all three; the real server is \`npm run stack\`'s (PostgreSQL persistence and SQL visibility, ${options.historyShards} history shards, all services in one process), its worker and API the production entry points.`,
  );
  result.details = { runs };
  return result;
}
