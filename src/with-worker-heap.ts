import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { workerNodeOptions } from './runtime/worker-heap';

/**
 * `npm run worker` and `npm start`: runs the entry point given (src/worker.ts, src/start.ts) as
 * one child Node process under the worker's heap cap (`workerNodeOptions`), since Node takes heap
 * flags only at start. It replaces the tsx CLI's wrapper process, so the process count is the
 * same as before. `npm start` runs the worker in its own process (PGlite allows one), so there
 * the cap holds for that whole process.
 *
 * The child has its own process group: a Ctrl-C reaches this launcher from the terminal and,
 * again, from npm, which forwards signals; a repeat within a second is that echo and is dropped,
 * so the child sees one signal (a second one on purpose still makes it exit at once).
 */
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node --import tsx src/with-worker-heap.ts <entry point> [args]');
  process.exit(2);
}

const child = spawn(process.execPath, [...process.execArgv, entry, ...args], {
  env: { ...process.env, NODE_OPTIONS: workerNodeOptions() },
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});

const ECHO_MS = 1000;
const lastForwarded = new Map<NodeJS.Signals, number>();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - (lastForwarded.get(signal) ?? 0) < ECHO_MS) return;
    lastForwarded.set(signal, now);
    child.kill(signal);
  });
}

child.on('error', (error) => {
  console.error(`could not start ${entry}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
