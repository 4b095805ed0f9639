import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { MessageResponseEvent } from '../../messaging/types';
import { deliverMessageResponse } from './message-response';

/**
 * Signals owed to workflows: a first click stores its row in `signal_outbox` in the same
 * statement as CLICKED (`recordDeepLinkClick`), and any API process delivers it from there.
 */

const MAX_BACKOFF_SECONDS = 60;

export interface DrainOptions {
  /** Most rows claimed at once (50). */
  batch?: number;
  /** Signals in flight at once (4). */
  concurrency?: number;
  /**
   * How long a claimed row is this process's (30 s): a process that dies after claiming leaves
   * its rows to the others once the lease runs out.
   */
  leaseSeconds?: number;
  onError?: (error: unknown, row: { id: number; message_id: string }) => void;
}

/**
 * Delivers up to `batch` due signals. The rows are claimed first (SKIP LOCKED, then leased by
 * moving `next_attempt_at`, in one short statement), so no transaction or connection is held
 * while Temporal answers and several API processes drain side by side without sending one row
 * twice at the same time. A delivered row is deleted; a failed one is retried later with backoff.
 * A process that dies between claim and delete leaves its rows to another once the lease is over
 * (a signal may then arrive twice, which the workflow's never-downgrade recording makes harmless).
 */
export async function drainSignalOutbox(db: Db, temporal: Client, options: DrainOptions = {}): Promise<number> {
  const { batch = 50, concurrency = 4, leaseSeconds = 30, onError } = options;
  const rows = await claimSignals(db, batch, leaseSeconds);
  const delivered: number[] = [];
  let next = 0;
  const deliverNext = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next++];
      try {
        await deliverMessageResponse({ db, temporal }, { id: row.message_id, workflow_id: row.workflow_id }, row.event as MessageResponseEvent);
        delivered.push(row.id);
      } catch (error) {
        onError?.(error, row);
        const backoff = Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.min(row.attempts, 6));
        await db
          .updateTable('signal_outbox')
          .set({ attempts: row.attempts + 1, last_error: String((error as Error)?.message ?? error).slice(0, 500), next_attempt_at: sql`now() + make_interval(secs => ${backoff})` })
          .where('id', '=', row.id)
          .execute();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, deliverNext));
  if (delivered.length) await db.deleteFrom('signal_outbox').where('id', 'in', delivered).execute();
  return delivered.length;
}

/** Takes up to `batch` due rows for `leaseSeconds`: skipped by every other drainer until then. */
export async function claimSignals(db: Db, batch: number, leaseSeconds: number) {
  if (batch <= 0) return [];
  const { rows } = await sql<{ id: number; message_id: string; workflow_id: string | null; event: unknown; attempts: number }>`
    UPDATE signal_outbox SET next_attempt_at = now() + make_interval(secs => ${leaseSeconds})
    WHERE id IN (SELECT id FROM signal_outbox WHERE next_attempt_at <= now() ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    RETURNING id, message_id, workflow_id, event, attempts`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
}

export interface OutboxDrainer {
  /** A signal was just stored: deliver soon, within the pace. */
  kick(): void;
  /** Stops draining once the batch under way is delivered; what is left stays in the outbox. */
  stop(): Promise<void>;
}

export interface DrainerOptions {
  /** How often the outbox is looked at (and the pace re-judged). */
  intervalMs: number;
  /** Most signals per second while the API is quiet. */
  signalsPerSecond: number;
  /** Most signals per second while the API is busy (event loop over `busyUtilization`). */
  busySignalsPerSecond: number;
  /** Event-loop utilization (0..1) of this process above which it counts as busy. */
  busyUtilization: number;
  onError: (error: unknown) => void;
  /** Claim lease, seconds (see DrainOptions). */
  leaseSeconds?: number;
}

/**
 * Delivers the outbox at a bounded pace. Every signal becomes a workflow task on the Temporal
 * server and the worker, which share the machine with the API: 500 first clicks/s signalled at
 * once would be ten times what the dev server can run and starve the redirects. So each tick
 * sends at most `signalsPerSecond` × the tick's length, and far fewer while this process is busy
 * serving requests; the rest waits in the outbox, which is durable, and goes out when the load
 * drops. A kick starts a tick at once only if the last one is at least a tick ago.
 */
export function startOutboxDrainer(db: Db, temporal: Client, options: DrainerOptions): OutboxDrainer {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let ticking = false;
  // undefined until the first tick: performance.now() counts from process start, so a 0 here
  // would ignore every kick in the process's first interval
  let lastStart: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let utilization = performance.eventLoopUtilization();
  let credit = 0;
  const tick = async () => {
    const now = performance.now();
    const seconds = lastStart === undefined ? options.intervalMs / 1000 : Math.min(1, (now - lastStart) / 1000);
    lastStart = now;
    const load = performance.eventLoopUtilization(utilization);
    utilization = performance.eventLoopUtilization();
    const rate = load.utilization > options.busyUtilization ? options.busySignalsPerSecond : options.signalsPerSecond;
    // fractional budgets carry over, so a slow pace (1 signal every 2 s) still moves
    credit = Math.min(rate, credit + rate * seconds);
    const batch = Math.floor(credit);
    if (batch === 0) return;
    try {
      const rows = await drainSignalOutbox(db, temporal, { batch, leaseSeconds: options.leaseSeconds, onError: options.onError });
      credit -= rows;
    } catch (error) {
      options.onError(error);
    }
  };
  const run = () => {
    if (ticking || stopped) return;
    ticking = true;
    clearTimeout(timer);
    running = tick().finally(() => {
      ticking = false;
      if (!stopped) timer = setTimeout(run, options.intervalMs).unref();
    });
  };
  timer = setTimeout(run, options.intervalMs).unref();
  return {
    kick() {
      if (!ticking && (lastStart === undefined || performance.now() - lastStart >= options.intervalMs)) run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
