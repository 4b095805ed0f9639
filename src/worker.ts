import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig, type Config } from './config';
import { openDependencies, type Dependencies } from './runtime/dependencies';
import { startMetricsServer } from './runtime/metrics-server';
import { exitWithError, runUntilSignalled } from './runtime/process';
import { bundleWorkflows, createWorker } from './temporal/worker-factory';
import { temporalTarget } from './temporal/client';
import { verifyTemporalAtStartup } from './temporal/namespace-readiness';
import { encryptedDataConverter } from './temporal/codec/data-converter';
import { installTemporalLogging } from './temporal/runtime-logging';
import { activeTracing, startTracingFromConfig } from './runtime/tracing';
import { workerHeapReport } from './runtime/worker-heap';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after `stop()` or a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a Temporal worker on the configured task queue: workflows bundled once at start,
 * activities built from the process's shared clients.
 */
export async function startWorker(config: Config, deps: Dependencies, address?: string): Promise<RunningWorker> {
  installTemporalLogging(deps.logger);
  const target = temporalTarget(config, address);
  const connection = await NativeConnection.connect({ address: target.address, tls: target.tls || undefined, apiKey: target.apiKey });
  try {
    await verifyTemporalAtStartup(connection, target, config.TEMPORAL_REGISTER_SEARCH_ATTRIBUTES, deps.logger);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const tracing = activeTracing();
  const workflowBundle = await bundleWorkflows({ tracing: !!tracing });
  const worker = await whileTemporalUnreachable(deps.logger, () =>
    createWorker({
      connection,
      namespace: target.namespace,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: createActivities(deps),
      workflowBundle,
      tracing,
      dataConverter: encryptedDataConverter(config),
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      shutdownGraceTimeMs: config.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
    }),
  );
  const done = worker.run().finally(() => connection.close());
  const heap = workerHeapReport(config.WORKER_MAX_OLD_SPACE_MB);
  if (!heap.capped_as_configured) deps.logger.warn(heap, 'the worker runs without the heap cap WORKER_MAX_OLD_SPACE_MB asks for: start it with `npm run worker` or NODE_OPTIONS (README, Configuration)');
  deps.logger.info({ task_queue: config.TEMPORAL_TASK_QUEUE, namespace: target.namespace, address: target.address, ...heap }, 'worker running');
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** How long a starting worker waits for an unreachable Temporal server before giving up. */
const TEMPORAL_UNREACHABLE_PATIENCE_MS = 120_000;

/**
 * Creating the worker describes the namespace. Bundling the workflows takes seconds (a minute
 * on a loaded machine), so a Temporal restart in that time made a starting worker exit instead
 * of waiting for the server (chaos suite: a replacement worker lost during the Temporal restart).
 */
async function whileTemporalUnreachable<T>(logger: Dependencies['logger'], create: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + TEMPORAL_UNREACHABLE_PATIENCE_MS;
  for (;;) {
    try {
      return await create();
    } catch (error) {
      const unreachable = /code: Unavailable|tcp connect error|transport error/i.test(String((error as Error)?.message));
      if (!unreachable || Date.now() > giveUpAt) throw error;
      logger.warn({ err: error }, 'Temporal unreachable while the worker starts; trying again');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = startTracingFromConfig(config, 'shoktiai-worker');
  const deps = await openDependencies(config);
  const running = await startWorker(config, deps);
  const metrics = config.WORKER_METRICS_PORT ? await startMetricsServer(config.WORKER_METRICS_PORT) : undefined;
  if (metrics) deps.logger.info({ port: config.WORKER_METRICS_PORT }, 'worker metrics at /metrics');
  await runUntilSignalled(deps.logger, async () => {
    metrics?.close();
    await running.stop();
    await deps.close();
    await tracing?.shutdown();
  }, running.done);
}

if (require.main === module) void main().catch(exitWithError);
