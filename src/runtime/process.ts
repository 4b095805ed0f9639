import type { Logger } from '../lib/logger';

/**
 * Keeps a process alive until SIGINT/SIGTERM (or until `finished` settles on its own), then runs
 * `shutdown` once. A second signal while shutting down exits at once.
 */
export async function runUntilSignalled(logger: Logger, shutdown: () => Promise<void>, finished?: Promise<unknown>): Promise<void> {
  let stopping = false;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  await new Promise<void>((resolve) => {
    onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    finished?.then(
      () => resolve(),
      (error) => {
        logger.error({ err: error }, 'stopped with an error');
        process.exitCode = 1;
        resolve();
      },
    );
  });
  try {
    await shutdown();
  } finally {
    // a launcher that runs in a longer-lived process (a test) leaves no handler behind
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Start-up failures (a bad variable, an unreachable server) end the process with one clear line. */
export function exitWithError(error: unknown): never {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
