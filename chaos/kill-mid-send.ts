import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { startSmtpSink } from '../bench/lib/smtp-sink';
import { projectRoot } from '../src/runtime/project-root';
import { startStack, stackOptionsFromEnv } from '../src/stack/stack';

/**
 * The first fault of the chaos suite, on the `npm run stack` topology: a worker SIGKILLed while
 * its sends are in flight to a slow mail server (3 s per message). Checks, not assumes, that
 * every eligible customer gets exactly one email and no message ends FAILED, and measures how
 * long the killed worker's customers waited (kill → their message SENT by the other worker).
 *
 *   npx tsx chaos/kill-mid-send.ts        (DATABASE_URL names the PostgreSQL server to use)
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function admin(url: string, statement: string): Promise<void> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const tag = `chaos_${process.pid}`;
  const appUrl = new URL(base);
  appUrl.pathname = `/shoktiai_${tag}`;
  const adminUrl = new URL(base);
  adminUrl.pathname = '/postgres';
  const sink = await startSmtpSink({ delayMs: 3000 });
  const log = (line: string) => console.log(`[chaos] ${line}`);
  const stack = await startStack({
    ...stackOptionsFromEnv(process.env, log),
    databaseUrl: appUrl.toString(),
    temporalDatabase: `temporal_${tag}`,
    workers: 2,
    apis: 1,
    apiPort: 0,
    ui: false,
    demoData: true,
    dir: join(projectRoot(), `var/chaos-${process.pid}`),
    serviceEnv: { SMTP_URL: sink.url, LOG_LEVEL: 'warn' },
  });
  const db = new PgClient({ connectionString: appUrl.toString() });
  await db.connect();
  const result: Record<string, unknown> = { scenario: 'worker SIGKILLed mid-send (SMTP 3 s per message)', at: new Date().toISOString() };
  try {
    const api = stack.apis[0].url!;
    const started = Date.now();
    const res = await fetch(`${api}/internal/ai/smartengage/run-segment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stack.env.INTERNAL_API_KEY },
      body: JSON.stringify({ segment_criteria: { send_window_start: '00:00', send_window_end: '23:59' } }),
    });
    const job = (await res.json()) as { job_id: string; estimated_customers: number };
    log(`campaign ${job.job_id}: ${job.estimated_customers} customers`);

    // wait until several sends are in flight, then kill the first worker without warning
    for (;;) {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM ai_messages WHERE send_lease_owner IS NOT NULL');
      if (rows[0].n >= 5) break;
      await sleep(100);
    }
    const inFlight = (await db.query('SELECT id FROM ai_messages WHERE send_lease_owner IS NOT NULL')).rows.map((r) => r.id as string);
    const killedAt = Date.now();
    stack.workers[0].child.kill('SIGKILL');
    log(`SIGKILLed ${stack.workers[0].name} with ${inFlight.length} sends in flight`);

    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      const { rows } = await db.query(
        `SELECT count(*) FILTER (WHERE delivery_status IN ('SENT','DELIVERED'))::int AS sent,
                count(*) FILTER (WHERE delivery_status = 'FAILED')::int AS failed,
                (SELECT status FROM campaigns WHERE id = $1) AS campaign
           FROM ai_messages WHERE campaign_id = $1`,
        [job.job_id],
      );
      if (rows[0].campaign !== 'RUNNING' && rows[0].campaign !== 'PENDING' && rows[0].sent + rows[0].failed >= job.estimated_customers) break;
      if (Date.now() > deadline) throw new Error(`campaign not done after 15 minutes: ${JSON.stringify(rows[0])}`);
      await sleep(1000);
    }
    const campaignSeconds = (Date.now() - started) / 1000;
    const recovered = (
      await db.query(`SELECT id, attempts, extract(epoch FROM sent_at) * 1000 AS sent_ms FROM ai_messages WHERE id = ANY($1::uuid[])`, [inFlight])
    ).rows as Array<{ id: string; attempts: number; sent_ms: number }>;
    // the killed worker's sends are those that needed a second attempt
    const retried = recovered.filter((r) => r.attempts >= 2).map((r) => (Number(r.sent_ms) - killedAt) / 1000);
    const counts = [...sink.countsByRecipient().values()];
    const eligible = (await db.query('SELECT eligible_count, sent_count, failed_count FROM campaigns WHERE id = $1', [job.job_id])).rows[0];
    const failed = (await db.query(`SELECT count(*)::int AS n FROM ai_messages WHERE delivery_status = 'FAILED'`)).rows[0].n;
    Object.assign(result, {
      customers: job.estimated_customers,
      campaign_seconds: Math.round(campaignSeconds),
      sends_in_flight_at_kill: inFlight.length,
      sends_taken_over: retried.length,
      recovery_seconds_after_kill: { max: Math.max(...retried, 0), each: retried.map((s) => Math.round(s * 10) / 10) },
      emails: sink.accepted.length,
      recipients: counts.length,
      recipients_with_more_than_one: counts.filter((n) => n > 1).length,
      failed_messages: failed,
      campaign_counts: eligible,
    });
    const checks = {
      'every eligible customer exactly one email': counts.length === job.estimated_customers && counts.every((n) => n === 1),
      'no message FAILED': failed === 0,
      'campaign counts equal the rows': eligible.sent_count === sink.accepted.length,
      'killed sends recovered within 30 s': retried.every((s) => s < 30),
    };
    result.checks = checks;
    console.table(Object.entries(checks).map(([check, ok]) => ({ check, ok })));
    console.log(JSON.stringify(result, null, 2));
    writeFileSync(join(projectRoot(), 'chaos/results.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (!Object.values(checks).every(Boolean)) process.exitCode = 1;
  } finally {
    await db.end();
    await stack.stop();
    await sink.close();
    for (const name of [`shoktiai_${tag}`, `temporal_${tag}`, `temporal_${tag}_visibility`]) {
      await admin(adminUrl.toString(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    }
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
