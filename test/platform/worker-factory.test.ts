import { randomBytes, randomUUID } from 'node:crypto';
import { NativeConnection, type InjectedSinks, type Worker } from '@temporalio/worker';
import { encryptedDataConverter } from '../../src/temporal/codec/data-converter';
import { createWorker, type WorkerOptions } from '../../src/temporal/worker-factory';
import { quietTemporalRuntime } from '../helpers/temporal-runtime';

/**
 * The options every worker of this system gets (src/worker.ts, the test system, the benchmarks):
 * what a caller leaves out, what it sets, and the sandbox's activation limit. Each worker is
 * created on the shared dev server with its own task queue, then run briefly and shut down.
 */
let connection: NativeConnection;
beforeAll(async () => {
  quietTemporalRuntime();
  connection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
});
afterAll(async () => {
  await connection.close();
});

async function workerWith(options: Partial<WorkerOptions>): Promise<Worker> {
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: `factory-${randomUUID()}`,
    activities: { noop: async () => undefined },
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    dataConverter: encryptedDataConverter({ PAYLOAD_CODEC_KEY: randomBytes(32).toString('base64') }),
    ...options,
  });
  await worker.runUntil(Promise.resolve());
  return worker;
}

const slots = (worker: Worker) => {
  const tuner = worker.options.tuner as unknown as Record<string, { numSlots: number }>;
  return { workflow: tuner.workflowTaskSlotSupplier.numSlots, activity: tuner.activityTaskSlotSupplier.numSlots };
};

it('gives a worker the measured defaults and a 60 s activation limit instead of the SDK\'s 5 s', async () => {
  const worker = await workerWith({});
  expect(slots(worker)).toEqual({ workflow: 40, activity: 100 });
  expect(worker.options).toMatchObject({ maxCachedWorkflows: 1000, shutdownGraceTimeMs: 5000, isolateExecutionTimeoutMs: 60_000 });
});

it("takes the caller's limits, and its sinks next to the SDK's own", async () => {
  const sinks: InjectedSinks<any> = { probe: { seen: { fn: () => undefined } } };
  const worker = await workerWith({ maxConcurrentActivityTaskExecutions: 7, maxConcurrentWorkflowTaskExecutions: 3, maxCachedWorkflows: 20, shutdownGraceTimeMs: 250, sinks });
  expect(slots(worker)).toEqual({ workflow: 3, activity: 7 });
  expect(worker.options).toMatchObject({ maxCachedWorkflows: 20, shutdownGraceTimeMs: 250 });
  expect(Object.keys(worker.options.sinks ?? {})).toEqual(expect.arrayContaining(['probe', '__temporal_logger']));
});
