import type { Db } from '../db/database';
import { recordDeepLinkClicks, type Click, type ClickedLink } from './deep-links';

/**
 * Group commit for deep-link clicks. Each click is one small write whose cost is mostly per
 * statement and per commit (planning the statement, the round trip, the commit record), so at
 * hundreds of first clicks a second one statement each is what the machine cannot keep up with.
 * The batcher writes the clicks that arrive while the database is busy with the previous batch
 * in one statement and one commit (`recordDeepLinkClicks`), and answers each caller with its own
 * row.
 *
 * "Flush when idle or full": a click arriving while nothing is being written goes out at once
 * (after the current turn of the event loop, so the requests read in that turn go with it); one
 * arriving during a write waits for it to finish, or until it has waited `maxWaitMs`, or until
 * `maxBatch` are waiting, whichever comes first, and then a further batch starts if fewer than
 * `maxInFlight` are being written. A lone click is therefore never delayed; a queued one by the
 * running write or `maxWaitMs` at most, unless `maxInFlight` writes are already under way (the
 * database is then the limit, and waiting is cheaper than one more concurrent statement).
 */
export interface BatcherOptions {
  /** Most clicks in one statement (64). */
  maxBatch?: number;
  /** Longest a click waits behind a write in progress before another batch starts (3 ms). */
  maxWaitMs?: number;
  /** Batches written at once (2): pooled connections the clicks may hold. */
  maxInFlight?: number;
}

export interface Batcher<I, O> {
  /** Resolves with this item's own result once its batch has committed; rejects if that batch failed. */
  add(item: I): Promise<O>;
  /** Items waiting plus batches being written: for tests and shutdown. */
  readonly pending: number;
  /** Resolves once every item added so far is answered. */
  drain(): Promise<void>;
}

interface Waiting<I, O> {
  item: I;
  since: number;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * The loop behind `createClickBatcher`, over any `write` that takes a batch and returns one
 * result per item, in order. A failed write rejects the callers of that batch only.
 */
export function createBatcher<I, O>(write: (items: I[]) => Promise<O[]>, options: BatcherOptions = {}): Batcher<I, O> {
  const { maxBatch = 64, maxWaitMs = 3, maxInFlight = 2 } = options;
  const queue: Waiting<I, O>[] = [];
  let inFlight = 0;
  let immediate: NodeJS.Immediate | undefined;
  let timer: NodeJS.Timeout | undefined;
  let idle: (() => void)[] = [];

  const flush = () => {
    const batch = queue.splice(0, maxBatch);
    inFlight++;
    // the batch leaves the count before its callers hear back, so they see it finished
    const settle = (answer: () => void) => {
      inFlight--;
      answer();
      schedule();
    };
    void Promise.resolve()
      .then(() => write(batch.map((w) => w.item)))
      .then((results) => {
        if (results.length !== batch.length) throw new Error(`batch write returned ${results.length} results for ${batch.length} items`);
        return results;
      })
      .then(
        (results) => settle(() => batch.forEach((w, i) => w.resolve(results[i]))),
        (error: unknown) => settle(() => batch.forEach((w) => w.reject(error))),
      );
  };

  // starts every batch that may start now, and arms the wait for the rest
  const schedule = () => {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length && inFlight < maxInFlight && (inFlight === 0 || queue.length >= maxBatch || performance.now() - queue[0].since >= maxWaitMs)) flush();
    if (queue.length && inFlight < maxInFlight) {
      timer = setTimeout(schedule, Math.max(0, maxWaitMs - (performance.now() - queue[0].since)));
    }
    if (!queue.length && !inFlight) {
      const done = idle;
      idle = [];
      done.forEach((f) => f());
    }
  };

  return {
    add(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, since: performance.now(), resolve, reject });
        if (inFlight === 0) {
          // idle: go out at once, together with whatever this turn of the event loop still adds
          immediate ??= setImmediate(() => {
            immediate = undefined;
            schedule();
          });
        } else if (queue.length === 1 || queue.length >= maxBatch) schedule();
      });
    },
    get pending() {
      return queue.length + inFlight;
    },
    drain() {
      if (!queue.length && !inFlight) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

export type ClickBatcher = Batcher<Click, ClickedLink | null>;

/** The API's clicks, group-committed (see `createBatcher` and `recordDeepLinkClicks`). */
export function createClickBatcher(db: Db, options: BatcherOptions = {}): ClickBatcher {
  return createBatcher((clicks) => recordDeepLinkClicks(db, clicks), options);
}
