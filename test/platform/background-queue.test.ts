import { createBackgroundQueue } from '../../src/api/background-queue';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('createBackgroundQueue', () => {
  it('runs tasks in arrival order, never more than its concurrency at once', async () => {
    const queue = createBackgroundQueue(2, () => undefined);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    for (let i = 0; i < 6; i++) {
      queue.push(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await tick();
        running--;
      });
    }
    expect(queue.size()).toBe(6);
    await queue.drain();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(queue.size()).toBe(0);
  });

  it('reports a failed task and carries on with the rest', async () => {
    const errors: unknown[] = [];
    const queue = createBackgroundQueue(1, (error) => errors.push(error));
    const done: string[] = [];
    queue.push(async () => {
      throw new Error('temporal unavailable');
    });
    queue.push(async () => {
      done.push('second');
    });
    await queue.drain();
    expect(errors).toEqual([new Error('temporal unavailable')]);
    expect(done).toEqual(['second']);
  });

  it('drains at once when empty', async () => {
    await expect(createBackgroundQueue(4, () => undefined).drain()).resolves.toBeUndefined();
  });
});
