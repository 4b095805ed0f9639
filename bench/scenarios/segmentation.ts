import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { resolveCriteria, type SegmentCriteria } from '../../src/smartengage/criteria';
import { countSegment, fetchSegmentPage } from '../../src/smartengage/segment-query';
import { seedSegmentationData } from '../data/segmentation-data';
import { createBenchDatabase, type BenchDatabase } from '../lib/database';
import { explainAnalyze, type PlanSummary } from '../lib/explain';
import { atMost, newResult, type ScenarioResult } from '../lib/report';
import { median, round, timeRuns } from '../lib/stats';

export interface SegmentationOptions {
  customers: number;
  /** Customers in the per-customer baseline loop. */
  sample: number;
  runs: number;
  pageSize: number;
  /** Leave the database in place after the run, to look at plans by hand (psql shoktiai_bench_segment). */
  keepDatabase?: boolean;
  log: (message: string) => void;
}

const TARGET_MS = 1000;
/** A sequential scan over a table this large (those that grow with the customer base) means a missed index. */
const BIG_TABLE_ROWS = 500_000;
const PLAN_CHECK_CUSTOMERS = 500_000;

/**
 * What the set-based query replaces: the same rules asked one customer at a time (one
 * round trip each, prepared, index-backed) — the naive loop the design forbids.
 */
const PER_CUSTOMER_SQL = `
SELECT c.id,
  (SELECT b.service_id FROM bookings b WHERE b.customer_id = c.id AND b.status = 'COMPLETED'
    GROUP BY b.service_id ORDER BY count(*) DESC, max(b.finished_at) DESC LIMIT 1) AS service_id
FROM customers c JOIN users u ON u.id = c.id
WHERE c.id = $1 AND c.last_booking_at <= $2 AND c.last_booking_at >= $3
  AND u.is_active AND u.role = 'customer' AND (u.consent ->> 'marketing') = 'true'
  AND NOT EXISTS (SELECT 1 FROM ai_messages m WHERE m.user_id = c.id AND m.created_at > $4)
  AND NOT EXISTS (SELECT 1 FROM contact_claims cc WHERE cc.user_id = c.id AND cc.agent_type = 'smartengage' AND cc.expires_at > $5)
  AND NOT EXISTS (SELECT 1 FROM bookings o WHERE o.customer_id = c.id AND o.status IN ('PENDING', 'CONFIRMED', 'IN_PROGRESS'))`;

async function perCustomerLoop(url: string, criteria: SegmentCriteria, asOf: Date, customers: number, sample: number) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `SELECT bench_customer_id(i) AS id FROM generate_series(1, $1::bigint, $2::bigint) AS i LIMIT $3`,
      [customers, Math.max(1, Math.floor(customers / sample)), sample],
    );
    const day = 86_400_000;
    const params = (id: string) => [
      id,
      new Date(asOf.getTime() - criteria.booking_cadence_days * day),
      new Date(asOf.getTime() - criteria.lookback_days * day),
      new Date(asOf.getTime() - criteria.frequency_cap_hours * 3_600_000),
      asOf,
    ];
    let eligible = 0;
    const started = performance.now();
    for (const { id } of rows) {
      const result = await client.query({ name: 'eligible_one', text: PER_CUSTOMER_SQL, values: params(id) });
      eligible += result.rowCount ?? 0;
    }
    return { customers: rows.length, eligible, ms: performance.now() - started };
  } finally {
    await client.end();
  }
}

/** Walks the whole segment the way a campaign does: keyset pages of `pageSize`. */
async function allPages(bench: BenchDatabase, criteria: SegmentCriteria, asOf: Date, pageSize: number) {
  let after: string | null = null;
  let pages = 0;
  let members = 0;
  const cursors: string[] = [];
  const started = performance.now();
  for (;;) {
    const page = await fetchSegmentPage(bench.db, criteria, asOf, after, pageSize);
    if (page.length === 0) break;
    pages++;
    members += page.length;
    after = page[page.length - 1].customerId;
    cursors.push(after);
    if (page.length < pageSize) break;
  }
  const ms = performance.now() - started;
  return { pages, members, ms, middleCursor: cursors[Math.floor(cursors.length / 2)] ?? null };
}

async function explainLast(bench: BenchDatabase, run: () => Promise<unknown>): Promise<PlanSummary> {
  bench.captured.length = 0;
  await run();
  const query = bench.captured[bench.captured.length - 1];
  return explainAnalyze(bench.pool, query);
}

function planUsesIndexes(plan: PlanSummary, tableRows: Map<string, number>): boolean {
  return plan.indexes.length > 0 && !plan.seqScans.some((s) => (tableRows.get(s.relation) ?? 0) > BIG_TABLE_ROWS);
}

async function tableRows(bench: BenchDatabase): Promise<Map<string, number>> {
  const { rows } = await bench.pool.query<{ relname: string; reltuples: number }>(
    `SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`,
  );
  return new Map(rows.map((r) => [r.relname, Number(r.reltuples)]));
}

/** Short form for the table: how many indexes, and any sequential scan with its row count. */
function describePlan(plan: PlanSummary): string {
  const seq = plan.seqScans.map((s) => `${s.relation} ${s.rows.toLocaleString('en-US')} rows`).join(', ');
  return `${plan.indexes.length} indexes, ${seq ? `seq scan ${seq}` : 'no seq scan'}, ${round(plan.executionMs)} ms`;
}

function listIndexes(plan: PlanSummary): string {
  return plan.indexes.map((i) => i.replace(/ \(.*\)$/, '')).join(', ') || 'none';
}

export async function runSegmentation(options: SegmentationOptions): Promise<ScenarioResult> {
  const result = newResult(1, 'Segmentation', { customers: options.customers });
  const bench = await createBenchDatabase('shoktiai_bench_segment', 4);
  try {
    const asOf = new Date();
    const loader = new Client({ connectionString: bench.url });
    await loader.connect();
    let data;
    try {
      data = await seedSegmentationData(loader, options.customers, asOf, options.log);
    } finally {
      await loader.end();
    }
    result.size = { customers: data.customers, bookings: data.bookings };
    options.log(`  ${data.customers.toLocaleString('en-US')} customers, ${data.bookings.toLocaleString('en-US')} bookings, ${data.messages.toLocaleString('en-US')} messages`);

    const criteria = resolveCriteria({}, loadConfig({}));
    let eligible = 0;
    const countRuns = await timeRuns(options.runs, async () => {
      eligible = await countSegment(bench.db, criteria, asOf);
    });
    const pageRuns = await timeRuns(options.runs, () => fetchSegmentPage(bench.db, criteria, asOf, null, options.pageSize));
    const countPlan = await explainLast(bench, () => countSegment(bench.db, criteria, asOf));
    const pagePlan = await explainLast(bench, () => fetchSegmentPage(bench.db, criteria, asOf, null, options.pageSize));
    const sizes = await tableRows(bench);
    // On small data a sequential scan and a hash join are the better plan: judged at scale only.
    const judged = data.customers >= PLAN_CHECK_CUSTOMERS;
    const indexVerdict = (uses: boolean) =>
      judged ? { target: `index use, no seq scan > ${BIG_TABLE_ROWS / 1000}k rows`, met: uses } : { target: `judged from ${PLAN_CHECK_CUSTOMERS / 1000}k customers` };
    options.log(`  count ${round(median(countRuns))} ms, first page ${round(median(pageRuns))} ms, ${eligible.toLocaleString('en-US')} eligible`);

    const walk = await allPages(bench, criteria, asOf, options.pageSize);
    const middleRuns = await timeRuns(options.runs, () => fetchSegmentPage(bench.db, criteria, asOf, walk.middleCursor, options.pageSize));
    const loop = await perCustomerLoop(bench.url, criteria, asOf, data.customers, options.sample);
    const perCustomerMs = loop.ms / loop.customers;
    const loopExtrapolatedMs = perCustomerMs * data.customers;
    options.log(`  all ${walk.pages} pages ${round(walk.ms)} ms; per-customer loop ${round(loop.ms)} ms for ${loop.customers}`);

    const countMs = median(countRuns);
    const pageMs = median(pageRuns);
    result.figures.push(
      { metric: 'segment count (countSegment), median', value: round(countMs), unit: 'ms', target: `<= ${TARGET_MS} ms`, met: atMost(countMs, TARGET_MS) },
      { metric: `first page of ${options.pageSize} (fetchSegmentPage), median`, value: round(pageMs), unit: 'ms', target: `<= ${TARGET_MS} ms`, met: atMost(pageMs, TARGET_MS) },
      {
        metric: 'a page from the middle of the segment (keyset cursor), median',
        value: round(median(middleRuns)),
        unit: 'ms',
        target: `<= ${TARGET_MS} ms`,
        met: atMost(median(middleRuns), TARGET_MS),
      },
      { metric: 'EXPLAIN count: indexes', value: describePlan(countPlan), ...indexVerdict(planUsesIndexes(countPlan, sizes)) },
      { metric: 'EXPLAIN first page: indexes', value: describePlan(pagePlan), ...indexVerdict(planUsesIndexes(pagePlan, sizes)) },
      { metric: 'eligible customers', value: eligible },
      { metric: `whole segment, ${walk.pages} keyset pages`, value: round(walk.ms), unit: 'ms' },
      { metric: `per-customer loop, ${loop.customers.toLocaleString('en-US')} customers`, value: round(loop.ms), unit: 'ms' },
      { metric: 'per-customer loop ÷ whole segment (same customers)', value: round(loopExtrapolatedMs / walk.ms, 1), unit: '×' },
    );
    result.notes.push(
      `Warm cache: each figure is the median of ${options.runs} runs after one untimed run.`,
      `The loop's time per customer (${round(perCustomerMs, 3)} ms, sample of ${loop.customers}) is scaled to all ${data.customers.toLocaleString('en-US')} customers (${round(loopExtrapolatedMs / 1000, 1)} s) and compared with walking the whole segment set-based.`,
      `Indexes read by the count: ${listIndexes(countPlan)}; by the first page: ${listIndexes(pagePlan)}.`,
      `Sample check: ${loop.eligible} of ${loop.customers} sampled customers eligible (${round((100 * loop.eligible) / loop.customers, 1)} %) vs ${round((100 * eligible) / data.customers, 1)} % by the set query.`,
    );
    result.details = {
      data,
      criteria,
      asOf: asOf.toISOString(),
      eligible,
      countRunsMs: countRuns.map((v) => round(v, 2)),
      firstPageRunsMs: pageRuns.map((v) => round(v, 2)),
      middlePageRunsMs: middleRuns.map((v) => round(v, 2)),
      wholeSegment: { ...walk, ms: round(walk.ms) },
      perCustomerLoop: { ...loop, ms: round(loop.ms), perCustomerMs: round(perCustomerMs, 4), extrapolatedMs: round(loopExtrapolatedMs) },
      explainCount: countPlan,
      explainFirstPage: pagePlan,
      postgres: await postgresSettings(bench),
    };
  } finally {
    if (options.keepDatabase) {
      await bench.db.destroy();
      options.log(`  kept database ${bench.name} (${bench.url})`);
    } else {
      await bench.drop();
    }
  }
  return result;
}

async function postgresSettings(bench: BenchDatabase): Promise<Record<string, string>> {
  const { rows } = await bench.pool.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'max_parallel_workers_per_gather', 'jit')`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
}
