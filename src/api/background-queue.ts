/**
 * Work an endpoint hands off after answering (e.g. telling a workflow about a click): run in
 * arrival order, at most `concurrency` at a time, so a burst of requests cannot open thousands
 * of calls at once. Failures go to `onError`; nothing here is the only record of anything.
 */
export interface BackgroundQueue {
  push(task: () => Promise<unknown>): void;
  /** Tasks waiting or running. */
  size(): number;
  /** Resolves once every task pushed so far has finished. */
  drain(): Promise<void>;
}

export function createBackgroundQueue(concurrency: number, onError: (error: unknown) => void): BackgroundQueue {
  const waiting: Array<() => Promise<unknown>> = [];
  let running = 0;
  let idle: Array<() => void> = [];

  const runNext = () => {
    while (running < concurrency && waiting.length > 0) {
      const task = waiting.shift()!;
      running++;
      task()
        .catch(onError)
        .finally(() => {
          running--;
          runNext();
        });
    }
    if (running === 0 && waiting.length === 0) {
      for (const resolve of idle) resolve();
      idle = [];
    }
  };

  return {
    push(task) {
      waiting.push(task);
      runNext();
    },
    size: () => waiting.length + running,
    drain: () => (running === 0 && waiting.length === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve))),
  };
}
