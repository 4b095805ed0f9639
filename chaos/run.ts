import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { seedCampaignCustomers } from '../bench/data/campaign-data';
import { seedCatalogue } from '../bench/data/catalogue';
import { seedCoachnovaWorkers } from '../bench/data/coachnova-data';
import { draftFor } from '../bench/lib/llm';
import { coachnovaAlwaysAwake } from '../bench/lib/stack';
import { OPEN_WINDOW } from '../bench/scenarios/campaign-runs';
import { mapPool, round, sleep } from '../bench/lib/stats';
import { projectRoot } from '../src/runtime/project-root';
import type { Stack, StackService } from '../src/stack/stack';
import { startImapServer } from '../test/helpers/imap';
import { startOpenAiServer } from '../test/helpers/openai-server';
import { startFaultySmtp, type FaultySmtp } from './faulty-smtp';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';

/**
 * `npm run chaos` (`-- --small` in CI): the fault suite on the `npm run stack` topology. A
 * re-engagement campaign and CoachNova events run while workers are SIGKILLed, the Temporal
 * server and PostgreSQL restart, database connections are terminated, the mail server refuses and
 * goes down and the LLM misbehaves; then the invariants are checked against what the mail server
 * received, the rows and Temporal's own view of every workflow. Everything runs on a private
 * PostgreSQL cluster (var/chaos-pg), never the shared server on 5432.
 */
const small = process.argv.includes('--small');
const SIZE = small
  ? { customers: 100, events: 10, coachedWorkers: 5, smtpDownMs: 15_000, pgDownMs: 2_000, timeoutMs: 5 * 60_000 }
  : { customers: 2000, events: 200, coachedWorkers: 50, smtpDownMs: 60_000, pgDownMs: 5_000, timeoutMs: 45 * 60_000 };
// `--customers=N` / `--events=N` override the size (e.g. a mid-size run on a slow machine)
for (const arg of process.argv) {
  const [, name, value] = /^--(customers|events)=(\d+)$/.exec(arg) ?? [];
  if (name) SIZE[name as 'customers' | 'events'] = Number(value);
}
SIZE.coachedWorkers = Math.min(SIZE.coachedWorkers, SIZE.events);
/** Campaign progress (share of its mails received) at which each fault starts. */
const AT = { kill1: 0.05, terminate: 0.15, kill2: 0.25, temporal: 0.35, smtpDown: 0.45, pgRestart: 0.6, kill3: 0.75 };
/** A 5xx within this long after a database or Temporal fault ends still belongs to it (pools reconnect, clients back off). */
const RECOVERY_GRACE_MS = 10_000;
const OPENAI_TIMEOUT_MS = 3_000;
const SMTP_DELAY_MS = 300;

const started = Date.now();
const t = (at = Date.now()) => round((at - started) / 1000, 1);
const log = (line: string) => console.log(`[chaos ${String(t()).padStart(6)} s] ${line}`);

interface TimelineEntry {
  fault: string;
  at_s: number;
  until_s: number | null;
  campaign_progress: string;
  note: string;
}
interface Window {
  kind: 'database' | 'temporal';
  from: number;
  to: number;
}
interface ApiCall {
  at: number;
  api: string;
  what: string;
  status: number;
  correlationId: string | null;
  code: string | null;
}

/** The LLM server: most answers a valid draft after 100 ms; some 429 with Retry-After, 500, malformed JSON or longer than the client's timeout. */
async function startFaultyLlm() {
  const server = await startOpenAiServer();
  const faults = { ok: 0, '429': 0, '500': 0, malformed: 0, timeout: 0, judge500: 0 };
  let n = 0;
  server.setDefault((request) => {
    if (server.chatRequests.length > 100) server.chatRequests.splice(0, server.chatRequests.length - 10);
    const slot = n++ % 20;
    if (slot === 3) {
      faults['429']++;
      return { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'rate limited', type: 'rate_limit_error', code: null } } };
    }
    if (slot === 7) {
      faults['500']++;
      return { status: 500 };
    }
    if (slot === 11) {
      faults.malformed++;
      return { content: '{"subject": "We miss you", "body": "It has been' };
    }
    if (n % 50 === 17) {
      faults.timeout++;
      return { delayMs: OPENAI_TIMEOUT_MS + 2000, then: { draft: draftFor(request) } };
    }
    faults.ok++;
    return { delayMs: 100, then: { draft: draftFor(request) } };
  });
  let judged = 0;
  server.setJudge(() => {
    if (server.judgeRequests.length > 100) server.judgeRequests.splice(0, server.judgeRequests.length - 10);
    if (judged++ % 25 === 5) {
      faults.judge500++;
      return { status: 500 };
    }
    return { delayMs: 100, then: { verdict: { safe: true, categories: [], reasons: [], quotes: [] } } };
  });
  return Object.assign(server, { faults });
}

type EventKind = 'low_rating' | 'late' | 'good';
/** As the bench: half rated 2 with a complaint, a fifth late, the rest fine (no tip). */
function eventFor(i: number, workerId: string, bookingId: string): { kind: EventKind; body: Record<string, unknown> } {
  const finished = new Date();
  const base = { type: 'job_completed', worker_id: workerId, booking_id: bookingId, started_at: new Date(finished.getTime() - 90 * 60_000).toISOString(), finished_at: finished.toISOString() };
  const slot = i % 10;
  if (slot < 5) return { kind: 'low_rating', body: { ...base, rating: 2, feedback: 'The worker was rude and left the kitchen dirty.', minutes_late: 0 } };
  if (slot < 7) return { kind: 'late', body: { ...base, rating: 4, minutes_late: 40 } };
  return { kind: 'good', body: { ...base, rating: 5, minutes_late: 0 } };
}

async function call(api: StackService, key: string, what: string, method: 'GET' | 'POST', path: string, body?: unknown, correlationId?: string): Promise<ApiCall & { body: any }> {
  const at = Date.now();
  try {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': key, ...(correlationId ? { 'x-correlation-id': correlationId } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: any = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { at, api: api.name, what, status: res.status, correlationId: parsed?.correlation_id ?? res.headers.get('x-correlation-id'), code: parsed?.error?.code ?? null, body: parsed };
  } catch (error) {
    return { at, api: api.name, what, status: 0, correlationId: null, code: String((error as Error).cause ?? (error as Error).message).slice(0, 120), body: null };
  }
}

/**
 * The window in which a crash makes a resend: the mail server's acceptance to SENT recorded, as
 * the running workers measured it (shoktiai_email_accept_to_record_seconds; a killed worker's
 * own figures die with it). Share of sends within each bucket bound, and the mean.
 */
async function acceptToRecordWindow(workers: StackService[]) {
  const buckets = new Map<string, number>();
  let sum = 0;
  let count = 0;
  for (const worker of workers) {
    const text = await fetch(worker.url!, { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), () => '');
    for (const line of text.split('\n')) {
      const bucket = /^shoktiai_email_accept_to_record_seconds_bucket\{le="([^"]+)"\} (\S+)/.exec(line);
      if (bucket) buckets.set(bucket[1], (buckets.get(bucket[1]) ?? 0) + Number(bucket[2]));
      if (line.startsWith('shoktiai_email_accept_to_record_seconds_sum ')) sum += Number(line.split(' ')[1]);
      if (line.startsWith('shoktiai_email_accept_to_record_seconds_count ')) count += Number(line.split(' ')[1]);
    }
  }
  const within = Object.fromEntries([...buckets].filter(([le]) => le !== '+Inf').map(([le, n]) => [`<= ${Number(le) * 1000} ms`, count ? `${round((n / count) * 100, 1)} %` : '-']));
  return { sends_measured: count, workers: workers.length, mean_ms: count ? round((sum / count) * 1000, 2) : null, within };
}

async function main(): Promise<void> {
  const root = projectRoot();
  log(`${small ? 'small' : 'full'} run: ${SIZE.customers} customers, ${SIZE.events} CoachNova events`);
  let pg: PrivatePostgres | undefined;
  let pool: Pool | undefined;
  let stack: Stack | undefined;
  let smtp: FaultySmtp | undefined;
  const stopping: Array<() => Promise<unknown>> = [];
  const cleanUp = async () => {
    for (const stop of stopping.reverse()) await stop().catch((error) => log(`clean-up: ${String(error)}`));
    stopping.length = 0;
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));
  // a crash of the suite itself must not leave the stack and the private cluster running
  process.once('uncaughtException', (error) => {
    console.error(error);
    void cleanUp().finally(() => process.exit(1));
  });
  process.once('exit', () => {
    for (const service of [...(stack?.workers ?? []), ...(stack?.apis ?? [])]) service.child.kill('SIGKILL');
    pg?.stopNow();
  });

  try {
    pg = await startPrivatePostgres(join(root, small ? 'var/chaos-pg-small' : 'var/chaos-pg'));
    stopping.push(() => pg!.stop());
    log(`private PostgreSQL on 127.0.0.1:${pg.port}`);
    // the production setting: Gmail files what its relay accepted in a Sent mailbox, which the
    // workers ask (SENT_MAILBOX_URL) before resending a mail whose earlier attempt was cut short
    const imap = await startImapServer();
    stopping.push(() => imap.close());
    smtp = await startFaultySmtp({ delayMs: SMTP_DELAY_MS, refuseShare: 0.3, sentMailbox: imap });
    stopping.push(() => smtp!.close());
    const llm = await startFaultyLlm();
    stopping.push(() => llm.close());

    const appUrl = pg.url('shoktiai');
    // the compiled stack (npm run build), so workers and APIs run compiled JavaScript as deployed
    const { startStack, stackOptionsFromEnv } = (await import(join(root, 'dist/src/stack/stack.js'))) as typeof import('../src/stack/stack');
    stack = await startStack({
      ...stackOptionsFromEnv({}, (line) => log(line)),
      databaseUrl: appUrl,
      temporalDatabase: 'temporal',
      workers: 2,
      apis: 2,
      apiPort: 0,
      // a free port for the replies listener: a concurrent `npm start` or stack holds 2525
      inboundSmtpPort: 0,
      ui: false,
      demoData: false,
      dir: join(root, small ? 'var/chaos-small' : 'var/chaos'),
      serviceEnv: {
        SMTP_URL: smtp.url,
        SENT_MAILBOX_URL: imap.url,
        OPENAI_API_KEY: 'chaos-key',
        OPENAI_BASE_URL: llm.baseUrl,
        OPENAI_TIMEOUT_MS: String(OPENAI_TIMEOUT_MS),
        LOG_LEVEL: 'warn',
        ...coachnovaAlwaysAwake(),
      },
    });
    stopping.push(() => stack!.stop());
    const s = stack;
    log(`stack up: Temporal ${s.server.address}, ${s.workers.length} workers, ${s.apis.length} APIs`);

    pool = new Pool({ connectionString: appUrl, max: 4, application_name: 'chaos' });
    // the suite's own connections survive the faults it causes
    pool.on('error', () => undefined);
    const q = async <T = any>(text: string, values?: unknown[]): Promise<T[]> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return (await pool!.query(text, values)).rows as T[];
        } catch (error) {
          if (attempt >= 60) throw error;
          await sleep(1000);
        }
      }
    };
    await q(`CREATE OR REPLACE FUNCTION bench_uuid(seed text) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
      $$ SELECT overlay(overlay(md5(seed) placing '4' from 13) placing '8' from 17)::uuid $$`);
    await seedCatalogue((text, values) => pool!.query(text, values));
    const customers = await seedCampaignCustomers(pool, 'chaos', SIZE.customers, Math.max(10, Math.round(SIZE.customers * 0.05)));
    const coached = await seedCoachnovaWorkers(pool, SIZE.coachedWorkers, SIZE.events);
    const eligible = new Set(customers.eligible);
    const controls = new Set(customers.controls);
    const key = s.env.INTERNAL_API_KEY;

    const apiCalls: ApiCall[] = [];
    const windows: Window[] = [];
    const timeline: TimelineEntry[] = [];
    const received = () => smtp!.received.filter((m) => m.to.some((to) => eligible.has(to))).length;
    const progress = () => received() / SIZE.customers;
    const pct = () => `${Math.round(progress() * 100)} %`;

    // the campaign
    const campaignStarted = Date.now();
    const runSegment = await call(s.apis[0], key, 'run-segment', 'POST', '/internal/ai/smartengage/run-segment', { segment_criteria: OPEN_WINDOW });
    apiCalls.push(runSegment);
    if (runSegment.status !== 202) throw new Error(`run-segment answered ${runSegment.status}: ${JSON.stringify(runSegment.body)}`);
    const jobId: string = runSegment.body.job_id;
    log(`campaign ${jobId}: ${runSegment.body.estimated_customers} customers`);

    let done = false;
    // API traffic during the faults: reads that need the database (and Temporal while the campaign runs)
    const traffic = (async () => {
      let i = 0;
      while (!done) {
        const api = s.apis[i % s.apis.length];
        const worker = coached.workerIds[i % coached.workerIds.length];
        const [what, path] = i % 2 === 0 ? ['job status', `/internal/ai/smartengage/jobs/${jobId}`] : ['coaching session', `/internal/ai/coachnova/workers/${worker}`];
        const answer = await call(api, key, what, 'GET', path);
        apiCalls.push(answer);
        i++;
        await sleep(250);
      }
    })();

    // CoachNova events, spread over the campaign (a 503 is retried, as a client would)
    const events: Array<{ correlationId: string; kind: EventKind; status: number; tries: number }> = [];
    const eventLoop = (async () => {
      for (let i = 0; i < SIZE.events && !done; i++) {
        while (!done && i >= SIZE.events * Math.min(1, 0.1 + progress() / 0.8)) await sleep(200);
        const correlationId = `chaos-cn-${started}-${i}`;
        const { kind, body } = eventFor(i, coached.workerIds[i % coached.workerIds.length], coached.bookingIds[i]);
        let answer: ApiCall;
        let tries = 0;
        do {
          tries++;
          answer = await call(s.apis[i % s.apis.length], key, 'coachnova event', 'POST', '/internal/ai/coachnova/events', body, correlationId);
          apiCalls.push(answer);
          if (answer.status === 202 || (answer.status > 0 && answer.status < 500)) break;
          await sleep(1000);
        } while (tries < 120 && !done);
        events.push({ correlationId, kind, status: answer.status, tries });
        await sleep(small ? 300 : 100);
      }
    })();

    const waitFor = async (share: number) => {
      while (progress() < share && Date.now() - campaignStarted < SIZE.timeoutMs) await sleep(200);
    };
    const kills: Array<{ worker: string; at: number; leased: string[]; replacement: string; replacementReadyS: number | null }> = [];
    /** Resolves once a worker process with this pid polls the task queue for workflow and activity tasks (identity `<pid>@<host>`). */
    const pollingSince = async (pid: number) => {
      for (const giveUpAt = Date.now() + 180_000; Date.now() < giveUpAt; ) {
        let polling = 0;
        for (const taskQueueType of [1, 2]) {
          const answer = await s.client.workflowService.describeTaskQueue({ namespace: s.client.options.namespace, taskQueue: { name: 'shoktiai' }, taskQueueType }).catch(() => null);
          if (answer?.pollers?.some((p) => p.identity?.startsWith(`${pid}@`))) polling++;
        }
        if (polling === 2) return Date.now();
        await sleep(250);
      }
      return Number.NaN;
    };
    let replacementReady: Promise<unknown> = Promise.resolve();
    const killWorker = async (label: string) => {
      // the worker started after the last kill must be working before the next one goes
      await replacementReady;
      // wait until sends are in flight, so the kill lands mid-send
      let leased: string[] = [];
      for (let i = 0; i < 50; i++) {
        leased = (await q<{ id: string }>('SELECT id FROM ai_messages WHERE send_lease_owner IS NOT NULL')).map((r) => r.id);
        if (leased.length >= 2) break;
        await sleep(100);
      }
      const victim = s.workers.find((w) => !w.exited())!;
      killedBySuite.add(victim.name);
      const at = Date.now();
      victim.child.kill('SIGKILL');
      const entry = { worker: victim.name, at, leased, replacement: '', replacementReadyS: null as number | null };
      kills.push(entry);
      timeline.push({ fault: `${label}: SIGKILL ${victim.name}`, at_s: t(at), until_s: null, campaign_progress: pct(), note: `${leased.length} sends in flight` });
      log(`${label}: SIGKILLed ${victim.name} (pid ${victim.pid}) with ${leased.length} sends in flight; starting a replacement`);
      // the replacement starts in the background (bundling takes a core for seconds); the survivor carries on
      replacementReady = s.addWorker().then(
        async (w) => {
          entry.replacement = w.name;
          const polling = await pollingSince(w.pid);
          entry.replacementReadyS = round((polling - at) / 1000, 1);
          log(`${w.name} (pid ${w.pid}) polling, ${entry.replacementReadyS} s after the kill`);
        },
        (error) => log(`replacement worker failed to start: ${String(error)}`),
      );
    };

    // a worker that dies without being killed by the suite is a finding: noted, and replaced
    const killedBySuite = new Set<string>();
    const unplanned: Array<{ worker: string; at_s: number; exit: string }> = [];
    const watchdog = (async () => {
      while (!done) {
        for (const w of [...s.workers]) {
          if (w.exited() && !killedBySuite.has(w.name) && !unplanned.some((u) => u.worker === w.name)) {
            const exit = `code ${w.child.exitCode ?? '-'} signal ${w.child.signalCode ?? '-'}; log ${w.logFile}`;
            unplanned.push({ worker: w.name, at_s: t(), exit });
            timeline.push({ fault: `UNPLANNED: ${w.name} exited`, at_s: t(), until_s: null, campaign_progress: pct(), note: exit });
            log(`${w.name} exited on its own (${exit}); starting a replacement`);
            void s.addWorker().catch((error) => log(`replacement worker failed to start: ${String(error)}`));
          }
        }
        await sleep(1000);
      }
    })();

    await waitFor(AT.kill1);
    await killWorker('kill 1');

    await waitFor(AT.terminate);
    {
      const at = Date.now();
      const killed = await q<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = 'shoktiai' AND pid <> pg_backend_pid() AND application_name <> 'chaos'`,
      );
      windows.push({ kind: 'database', from: at, to: Date.now() });
      timeline.push({ fault: 'pg_terminate_backend (app connections)', at_s: t(at), until_s: null, campaign_progress: pct(), note: `${killed[0].n} connections terminated` });
      log(`terminated ${killed[0].n} app database connections`);
    }

    await waitFor(AT.kill2);
    await killWorker('kill 2');

    await waitFor(AT.temporal);
    {
      const at = Date.now();
      log('restarting the Temporal server');
      await s.server.restart();
      windows.push({ kind: 'temporal', from: at, to: Date.now() });
      timeline.push({ fault: 'Temporal server restart', at_s: t(at), until_s: t(), campaign_progress: pct(), note: `back after ${round((Date.now() - at) / 1000, 1)} s` });
      log(`Temporal server back after ${round((Date.now() - at) / 1000, 1)} s`);
    }

    await waitFor(AT.smtpDown);
    {
      const at = Date.now();
      await smtp.down();
      log(`mail server down for ${SIZE.smtpDownMs / 1000} s`);
      await sleep(SIZE.smtpDownMs);
      await smtp.up();
      timeline.push({ fault: 'SMTP server down', at_s: t(at), until_s: t(), campaign_progress: pct(), note: `${SIZE.smtpDownMs / 1000} s, connection refused` });
      log('mail server back');
    }

    await waitFor(AT.pgRestart);
    {
      log('restarting PostgreSQL');
      const { stoppingAt, stoppedAt, readyAt } = await pg.restart(SIZE.pgDownMs);
      // unavailable from the moment the fast shutdown begins, not from when it has finished
      windows.push({ kind: 'database', from: stoppingAt, to: readyAt });
      timeline.push({ fault: 'PostgreSQL restart', at_s: t(stoppingAt), until_s: t(readyAt), campaign_progress: pct(), note: `shutting down ${round((stoppedAt - stoppingAt) / 1000, 1)} s (fast), down ${round((readyAt - stoppedAt) / 1000, 1)} s` });
      log(`PostgreSQL accepting connections again after ${round((readyAt - stoppedAt) / 1000, 1)} s`);
    }

    await waitFor(AT.kill3);
    await killWorker('kill 3');

    // settle: the campaign finished, every tip an event called for stored and sent
    log('faults done; waiting for the campaign and the coaching tips to finish');
    await eventLoop;
    let settled = false;
    while (Date.now() - campaignStarted < SIZE.timeoutMs) {
      const [row] = await q<{ status: string }>('SELECT status FROM campaigns WHERE id = $1', [jobId]);
      const [open] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM ai_messages WHERE channel = 'EMAIL' AND delivery_status = 'PENDING'`);
      const wanted = events.filter((e) => e.status === 202 && e.kind !== 'good').map((e) => e.correlationId);
      const [tips] = await q<{ n: number }>(`SELECT count(DISTINCT correlation_id)::int AS n FROM ai_messages WHERE message_type = 'COACHING' AND channel = 'EMAIL' AND correlation_id = ANY($1)`, [wanted]);
      if (row.status !== 'RUNNING' && row.status !== 'PENDING' && open.n === 0 && tips.n >= wanted.length) {
        settled = true;
        break;
      }
      await sleep(2000);
    }
    const campaignSeconds = (Date.now() - campaignStarted) / 1000;
    // late duplicates would arrive within seconds
    await sleep(5000);
    done = true;
    await traffic;
    await watchdog;
    log(`settled: ${settled} after ${round(campaignSeconds)} s; checking the invariants`);

    // ---- invariants ----
    const byRecipient = new Map<string, number>();
    const byMessageId = new Map<string, number>();
    for (const mail of smtp.received) {
      for (const to of mail.to) byRecipient.set(to, (byRecipient.get(to) ?? 0) + 1);
      byMessageId.set(mail.messageId, (byMessageId.get(mail.messageId) ?? 0) + 1);
    }
    // per customer: distinct messages (Message-IDs); a second copy of the same Message-ID is the
    // same email twice, checked below against the one window that may cause it
    const distinctByRecipient = new Map<string, Set<string>>();
    for (const mail of smtp.received) for (const to of mail.to) distinctByRecipient.set(to, (distinctByRecipient.get(to) ?? new Set()).add(mail.messageId));
    const eligibleCounts = customers.eligible.map((e) => distinctByRecipient.get(e)?.size ?? 0);
    const customersMissing = eligibleCounts.filter((n) => n === 0).length;
    const customersDoubled = eligibleCounts.filter((n) => n > 1).length;
    const controlsMailed = customers.controls.filter((c) => byRecipient.has(c)).length;
    const duplicateMessageIds = [...byMessageId.values()].filter((n) => n > 1).length;
    // README, "After a crash mid-send": an attempt that ended without knowing whether the server
    // accepted its mail (worker killed between the 250 and SENT recorded, connection lost with no
    // reply) is taken over by one that asks the Sent mailbox: found, SENT without sending
    // (confirmed, counted on the row); not found or unreachable, a resend with the same
    // Message-ID, which the row counts. Every extra copy received must be such a counted resend,
    // and every confirmed send must have been received (nothing lost by trusting the Sent copy).
    const cutAt = [...kills.map((k) => k.at), ...timeline.filter((e) => e.fault === 'SMTP server down').map((e) => started + e.at_s * 1000)];
    const resendRows = await q<{ id: string; unknown_outcome_resends: number }>('SELECT id, unknown_outcome_resends FROM ai_messages WHERE unknown_outcome_resends > 0');
    const countedResends = new Map(resendRows.map((r) => [`${r.id}@shoktiai`, r.unknown_outcome_resends]));
    const confirmedRows = await q<{ id: string; unknown_outcome_confirmed: number }>('SELECT id, unknown_outcome_confirmed FROM ai_messages WHERE unknown_outcome_confirmed > 0');
    const confirmedNotReceived = confirmedRows.filter((r) => !byMessageId.has(`${r.id}@shoktiai`));
    const redeliveries = [...byMessageId.entries()]
      .filter(([, n]) => n > 1)
      .map(([messageId, n]) => {
        const copies = smtp!.received.filter((m) => m.messageId === messageId).map((m) => m.at);
        const nearestCut = cutAt.length ? cutAt.reduce((best, at) => (Math.abs(copies[0] - at) < Math.abs(copies[0] - best) ? at : best)) : null;
        return {
          messageId,
          to: smtp!.received.find((m) => m.messageId === messageId)?.to,
          copies: n,
          counted_resends: countedResends.get(messageId) ?? 0,
          at_s: copies.map((at) => t(at)),
          first_copy_after_nearest_fault_s: nearestCut === null ? null : round((copies[0] - nearestCut) / 1000, 1),
        };
      });
    const unexplainedCopies = redeliveries.filter((r) => r.copies - 1 > r.counted_resends);
    const window = await acceptToRecordWindow(s.workers.filter((w) => !w.exited()));

    const tipRows = await q<{ id: string; correlation_id: string; delivery_status: string }>(
      `SELECT id, correlation_id, delivery_status FROM ai_messages WHERE message_type = 'COACHING' AND channel = 'EMAIL' AND correlation_id LIKE $1`,
      [`chaos-cn-${started}-%`],
    );
    const tipsByEvent = new Map<string, typeof tipRows>();
    for (const row of tipRows) tipsByEvent.set(row.correlation_id, [...(tipsByEvent.get(row.correlation_id) ?? []), row]);
    const accepted = events.filter((e) => e.status === 202);
    const wantTip = accepted.filter((e) => e.kind !== 'good');
    const tipProblems: string[] = [];
    for (const e of wantTip) {
      const rows = tipsByEvent.get(e.correlationId) ?? [];
      // distinct emails: a redelivered copy of the same Message-ID is checked with the redeliveries
      const mails = rows.filter((r) => byMessageId.has(`${r.id}@shoktiai`)).length;
      if (rows.length !== 1 || mails !== 1) tipProblems.push(`${e.correlationId}: ${rows.length} tip rows, ${mails} distinct mails (${rows.map((r) => r.delivery_status).join(',')})`);
    }
    const tipsForGood = accepted.filter((e) => e.kind === 'good' && tipsByEvent.has(e.correlationId)).length;
    const failedRows = await q<{ id: string; agent_type: string; error: string | null }>(`SELECT id, agent_type, error FROM ai_messages WHERE delivery_status = 'FAILED'`);

    const [campaign] = await q<{ status: string; eligible_count: number; sent_count: number; failed_count: number; skipped_count: number }>(
      'SELECT status, eligible_count, sent_count, failed_count, skipped_count FROM campaigns WHERE id = $1',
      [jobId],
    );
    const [rows] = await q<{ sent: number; failed: number; total: number }>(
      `SELECT count(*) FILTER (WHERE delivery_status IN ('SENT','DELIVERED'))::int AS sent, count(*) FILTER (WHERE delivery_status = 'FAILED')::int AS failed, count(*)::int AS total
         FROM ai_messages WHERE campaign_id = $1`,
      [jobId],
    );
    const campaignMails = smtp.received.filter((m) => m.to.some((to) => eligible.has(to))).length;
    const campaignMessages = new Set(smtp.received.filter((m) => m.to.some((to) => eligible.has(to))).map((m) => m.messageId)).size;

    // Temporal's view: nothing failed, timed out or terminated; nothing running with work pending
    const workflowProblems: string[] = [];
    const statusCounts: Record<string, number> = {};
    const listed: Array<{ workflowId: string; runId: string; type: string; status: string }> = [];
    for await (const wf of s.client.workflow.list({ query: `CampaignId = '${jobId}' OR WorkflowType = 'coachingSession'` })) {
      listed.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type, status: wf.status.name });
    }
    for (const wf of listed) statusCounts[`${wf.type} ${wf.status}`] = (statusCounts[`${wf.type} ${wf.status}`] ?? 0) + 1;
    for (const wf of listed) {
      if (wf.type === 'smartEngageCampaign' && wf.status !== 'COMPLETED' && wf.status !== 'CONTINUED_AS_NEW') workflowProblems.push(`${wf.workflowId} ${wf.status}`);
      if (wf.type !== 'smartEngageCampaign' && !['RUNNING', 'COMPLETED', 'CONTINUED_AS_NEW'].includes(wf.status)) workflowProblems.push(`${wf.workflowId} ${wf.status}`);
    }
    const running = listed.filter((wf) => wf.status === 'RUNNING');
    await mapPool(running, 8, async (wf) => {
      const described = await s.client.workflow.getHandle(wf.workflowId, wf.runId).describe();
      const pending = described.raw.pendingActivities ?? [];
      const children = described.raw.pendingChildren ?? [];
      if (pending.length || children.length) {
        workflowProblems.push(`${wf.workflowId}: ${pending.map((a) => `${a.activityType?.name} attempt ${a.attempt}`).join(', ')}${children.length ? ` ${children.length} children` : ''}`);
      }
    });
    const expectedChildren = SIZE.customers;
    const children = listed.filter((wf) => wf.type === 'reengageCustomer').length;
    const sessions = new Set(listed.filter((wf) => wf.type === 'coachingSession' && wf.status === 'RUNNING').map((wf) => wf.workflowId)).size;

    // API answers: a 5xx only while a dependency is down (or just after), and then 503 with a correlation id
    const inWindow = (c: ApiCall, kind: Window['kind']) => windows.some((w) => w.kind === kind && c.at >= w.from - 1000 && c.at <= w.to + RECOVERY_GRACE_MS);
    const bad = apiCalls.filter((c) => c.status === 0 || c.status >= 500);
    const duringDb = bad.filter((c) => inWindow(c, 'database'));
    const duringTemporal = bad.filter((c) => !inWindow(c, 'database') && inWindow(c, 'temporal'));
    const outside = bad.filter((c) => !inWindow(c, 'database') && !inWindow(c, 'temporal'));
    const wrongShape = [...duringDb, ...duringTemporal].filter((c) => c.status !== 503 || !c.correlationId);
    const statuses: Record<string, number> = {};
    for (const c of apiCalls) statuses[c.status] = (statuses[c.status] ?? 0) + 1;

    // delays after each kill: kill → each send that was in flight SENT (by the survivor or a retry)
    const killDelays = [];
    for (const kill of kills) {
      const sent = await q<{ sent_ms: string | null }>(`SELECT (extract(epoch FROM sent_at) * 1000)::text AS sent_ms FROM ai_messages WHERE id = ANY($1::uuid[])`, [kill.leased]);
      const delays = sent.map((r) => (r.sent_ms ? (Number(r.sent_ms) - kill.at) / 1000 : Number.POSITIVE_INFINITY));
      killDelays.push({
        worker: kill.worker,
        at_s: t(kill.at),
        sends_in_flight: kill.leased.length,
        max_delay_s: delays.length ? round(Math.max(...delays), 1) : null,
        delays_s: delays.map((d) => round(d, 1)),
        replacement: kill.replacement || null,
        replacement_polling_after_s: kill.replacementReadyS,
      });
    }

    const checks: Record<string, { ok: boolean; detail: string }> = {
      'every eligible customer exactly one distinct email (Message-ID)': {
        ok: customersMissing === 0 && customersDoubled === 0,
        detail: `${eligibleCounts.filter((n) => n === 1).length} / ${SIZE.customers} exactly one; ${customersMissing} none, ${customersDoubled} more than one`,
      },
      'no email to an ineligible customer': { ok: controlsMailed === 0, detail: `${controlsMailed} of ${controls.size} controls mailed` },
      'every coaching tip exactly once (one row, one distinct email)': {
        ok: tipProblems.length === 0 && tipsForGood === 0 && wantTip.length > 0,
        detail: `${wantTip.length - tipProblems.length} / ${wantTip.length} tips one row and one distinct mail; ${tipsForGood} tips for good jobs${tipProblems.length ? `; ${tipProblems.slice(0, 3).join('; ')}` : ''}`,
      },
      'every CoachNova event accepted': { ok: accepted.length === SIZE.events, detail: `${accepted.length} / ${SIZE.events} answered 202 (${events.reduce((n, e) => n + e.tries - 1, 0)} retries after a 503)` },
      'every redelivery of a Message-ID is a counted resend after an unknown outcome': {
        ok: unexplainedCopies.length === 0,
        detail: `${duplicateMessageIds} of ${byMessageId.size} Message-IDs received more than once (${redeliveries.reduce((n, r) => n + r.copies - 1, 0)} extra copies), ${unexplainedCopies.length} not counted on the row; ${resendRows.length} messages resent after an unknown outcome in all`,
      },
      'every send confirmed from the Sent mailbox was received': {
        ok: confirmedNotReceived.length === 0,
        detail: `${confirmedRows.length} messages recorded SENT from their Sent copy after an unknown outcome (not sent again); ${confirmedNotReceived.length} of them never received${confirmedNotReceived.length ? `: ${confirmedNotReceived.slice(0, 3).map((r) => r.id).join(', ')}` : ''}`,
      },
      'no message FAILED': { ok: failedRows.length === 0, detail: failedRows.length ? failedRows.slice(0, 3).map((r) => `${r.agent_type} ${r.id}: ${r.error}`).join('; ') : '0' },
      'no workflow stuck': {
        ok: workflowProblems.length === 0 && children === expectedChildren && settled,
        detail: `${listed.length} runs (${children} children for ${expectedChildren} customers, ${sessions} sessions running); ${workflowProblems.length} problems${workflowProblems.length ? `: ${workflowProblems.slice(0, 3).join('; ')}` : ''}`,
      },
      'campaign counts equal the rows': {
        ok: campaign.status === 'COMPLETED' && campaign.eligible_count === SIZE.customers && campaign.sent_count === rows.sent && campaign.failed_count === rows.failed && rows.sent === campaignMessages,
        detail: `campaign ${campaign.status}: eligible ${campaign.eligible_count}, sent ${campaign.sent_count}, failed ${campaign.failed_count}; rows sent ${rows.sent}, failed ${rows.failed}; distinct mails ${campaignMessages} (${campaignMails} received)`,
      },
      'no 5xx from the API outside a database outage': {
        ok: outside.length === 0 && wrongShape.length === 0,
        detail: `${apiCalls.length} calls; 5xx/no answer: ${duringDb.length} during database faults, ${duringTemporal.length} during the Temporal restart, ${outside.length} elsewhere; ${wrongShape.length} not 503 with a correlation id${[...outside, ...wrongShape].length ? `: ${[...outside, ...wrongShape].slice(0, 3).map((c) => `${c.what} ${c.status} ${c.code} at ${t(c.at)} s`).join('; ')}` : ''}`,
      },
    };

    const result = {
      run: small ? 'small' : 'full',
      at: new Date(started).toISOString(),
      size: { customers: SIZE.customers, controls: controls.size, coachnova_events: SIZE.events, coached_workers: SIZE.coachedWorkers },
      topology: { temporal: 'server 1.29.1 on a private PostgreSQL (SQL visibility)', workers: 2, apis: 2, smtp_delay_ms: SMTP_DELAY_MS, openai_timeout_ms: OPENAI_TIMEOUT_MS },
      durations: { total_s: round(t()), campaign_to_settled_s: round(campaignSeconds) },
      timeline,
      kills: killDelays,
      smtp: { received: smtp.received.length, refused_first_attempts: smtp.refused(), attempts_while_down: smtp.downAttempts(), down_s: SIZE.smtpDownMs / 1000 },
      llm: llm.faults,
      api: { calls: apiCalls.length, statuses, during_database_faults: duringDb.length, during_temporal_restart: duringTemporal.length, outside: outside.map((c) => ({ ...c, at: t(c.at) })) },
      // sends left in doubt, reported rather than hidden: each Message-ID received more than once
      // (when each copy arrived, the nearest kill or mail outage, the row's count of resends after
      // an unknown outcome), every resend and every Sent-mailbox confirmation the rows counted, and
      // the acceptance → SENT window itself
      redeliveries: {
        messages: redeliveries.length,
        extra_copies: redeliveries.reduce((n, r) => n + r.copies - 1, 0),
        resends_after_unknown_outcome: resendRows.reduce((n, r) => n + r.unknown_outcome_resends, 0),
        messages_resent_after_unknown_outcome: resendRows.length,
        confirmed_from_sent_mailbox: confirmedRows.reduce((n, r) => n + r.unknown_outcome_confirmed, 0),
        messages_confirmed_from_sent_mailbox: confirmedRows.length,
        accept_to_record_window: window,
        duplicates: redeliveries,
      },
      workflows: statusCounts,
      // not an invariant (nothing may be lost either way), but a finding: see the worker's log
      unplanned_worker_exits: unplanned,
      checks: Object.fromEntries(Object.entries(checks).map(([name, c]) => [name, c])),
      ok: Object.values(checks).every((c) => c.ok),
    };

    console.log('\nFault timeline');
    console.table(timeline);
    console.log('Worker kills: kill → each send then in flight SENT');
    console.table(killDelays.map(({ delays_s: _d, ...k }) => k));
    console.log('Invariants');
    console.table(Object.entries(checks).map(([invariant, c]) => ({ invariant, ok: c.ok ? 'yes' : 'NO', detail: c.detail })));
    console.log(
      `Sends left in doubt (Sent mailbox asked first): ${result.redeliveries.confirmed_from_sent_mailbox} confirmed from the Sent copy on ${result.redeliveries.messages_confirmed_from_sent_mailbox} rows (not sent again); ` +
        `${result.redeliveries.resends_after_unknown_outcome} resends after an unknown outcome counted on ${result.redeliveries.messages_resent_after_unknown_outcome} rows; ` +
        `${result.redeliveries.messages} Message-IDs received more than once, ${result.redeliveries.extra_copies} extra copies. ` +
        `Acceptance → SENT recorded: mean ${window.mean_ms} ms over ${window.sends_measured} sends (${JSON.stringify(window.within)}).`,
    );
    if (unplanned.length) console.log(`Workers that exited without being killed (replaced): ${unplanned.map((u) => `${u.worker} at ${u.at_s} s (${u.exit})`).join('; ')}`);
    console.log(
      `Durations: total ${result.durations.total_s} s, campaign start → everything settled ${result.durations.campaign_to_settled_s} s. ` +
        `SMTP: ${result.smtp.refused_first_attempts} first attempts refused, ${result.smtp.attempts_while_down} attempts while down. LLM: ${JSON.stringify(llm.faults)}. API statuses: ${JSON.stringify(statuses)}.`,
    );
    const file = join(root, small ? 'chaos/results-small.json' : 'chaos/results.json');
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${file}`);
    if (!result.ok) process.exitCode = 1;
  } finally {
    await pool?.end().catch(() => undefined);
    await cleanUp();
  }
}

void main().catch(async (error) => {
  console.error(error);
  process.exit(1);
});
