/**
 * A service as `src/worker.ts` and `src/api/server.ts` run: alive until a signal, then its
 * shutdown. Started as a real child process by `node-service.test.ts`, so the signals are real.
 * SLOW_SHUTDOWN=1 makes the shutdown never finish, for the second-signal exit.
 */
import { createLogger } from '../../../src/lib/logger';
import { runUntilSignalled } from '../../../src/runtime/process';

const slow = process.env.SLOW_SHUTDOWN === '1';
const keepAlive = setInterval(() => undefined, 60_000);
void runUntilSignalled(createLogger('silent'), async () => {
  console.log('shutdown started');
  if (slow) await new Promise(() => undefined);
  clearInterval(keepAlive);
  console.log('shutdown finished');
});
console.log('ready');
