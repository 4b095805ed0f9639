/**
 * The floor's worker process: the project's worker factory (same options as `npm run worker`)
 * with the bench-only floor workflows and no-op activities, on its own task queue.
 */
import { NativeConnection } from '@temporalio/worker';
import { encryptedDataConverter } from '../../src/temporal/codec/data-converter';
import { createWorker } from '../../src/temporal/worker-factory';
import { createFloorActivities } from '../workflows/floor-activities';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await createWorker({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.TEMPORAL_TASK_QUEUE!,
    activities: createFloorActivities(),
    workflowBundle: { codePath: process.env.BENCH_FLOOR_BUNDLE! },
    dataConverter: encryptedDataConverter({ PAYLOAD_CODEC_KEY: process.env.PAYLOAD_CODEC_KEY! }),
  });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await worker.run();
  await connection.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
