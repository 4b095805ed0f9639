import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { storeMessageResponse } from '../../smartengage/store-response';
import type { MessageResponseEvent } from '../../messaging/types';
import { deliverMessageResponse } from './message-response';

/**
 * Stores a response and the signal owed to the message's workflow in one transaction: once the
 * response is stored, the signal cannot be lost, whichever API process dies when.
 */
export async function recordResponseWithSignal(
  db: Db,
  message: { id: string; workflow_id: string | null },
  event: MessageResponseEvent,
  correlationId: string | null,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await storeMessageResponse(trx, event);
    await trx
      .insertInto('signal_outbox')
      .values({ message_id: message.id, workflow_id: message.workflow_id, event: JSON.stringify(event), correlation_id: correlationId })
      .execute();
  });
}

const MAX_BACKOFF_SECONDS = 60;

/**
 * Delivers up to `batch` due signals: locked with SKIP LOCKED so several API processes drain
 * side by side without delivering one twice at the same time; a delivered row is deleted in the
 * same transaction, a failed one is retried later with backoff. A process that dies mid-batch
 * releases its locks with its connection and another process delivers those rows (a signal may
 * then arrive twice, which the workflow's never-downgrade recording makes harmless).
 */
export async function drainSignalOutbox(db: Db, temporal: Client, batch = 50, onError?: (error: unknown, row: { id: number; message_id: string }) => void): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('signal_outbox')
      .select(['id', 'message_id', 'workflow_id', 'event', 'attempts'])
      .where(sql<boolean>`next_attempt_at <= now()`)
      .orderBy('id')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    let delivered = 0;
    for (const row of rows) {
      try {
        await deliverMessageResponse({ db: trx, temporal }, { id: row.message_id, workflow_id: row.workflow_id }, row.event as MessageResponseEvent);
        await trx.deleteFrom('signal_outbox').where('id', '=', row.id).execute();
        delivered++;
      } catch (error) {
        onError?.(error, row);
        const backoff = Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.min(row.attempts, 6));
        await trx
          .updateTable('signal_outbox')
          .set({ attempts: row.attempts + 1, last_error: String((error as Error)?.message ?? error).slice(0, 500), next_attempt_at: sql`now() + make_interval(secs => ${backoff})` })
          .where('id', '=', row.id)
          .execute();
      }
    }
    return delivered;
  });
}

export interface OutboxDrainer {
  /** Drain soon (a click was just stored). */
  kick(): void;
  /** Stops polling after delivering what is due now. */
  stop(): Promise<void>;
}

/** Polls the outbox every `intervalMs` (and at once after a kick) until stopped. */
export function startOutboxDrainer(db: Db, temporal: Client, options: { intervalMs: number; onError: (error: unknown) => void }): OutboxDrainer {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const drainAll = async () => {
    do {
      again = false;
      try {
        while ((await drainSignalOutbox(db, temporal, 50, options.onError)) > 0) {
          /* keep going while whole batches are delivered */
        }
      } catch (error) {
        options.onError(error);
      }
    } while (again && !stopped);
  };
  let busy = false;
  const run = () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    running = drainAll().finally(() => {
      busy = false;
      if (!stopped) timer = setTimeout(run, options.intervalMs).unref();
    });
  };
  timer = setTimeout(run, options.intervalMs).unref();
  return {
    kick() {
      if (stopped) return;
      clearTimeout(timer);
      run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await drainAll();
    },
  };
}
