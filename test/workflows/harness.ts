import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createReminderStepActivities, type ReminderStepParts } from '../../src/activities/reminder-steps';
import { loadConfig, type Config } from '../../src/config';
import { encryptedDataConverter } from '../../src/temporal/codec/data-converter';
import { quietTemporalRuntime } from '../helpers/temporal-runtime';
import { workflowCoverageSinks } from '../helpers/workflow-coverage';

export { eventually } from '../helpers/wait';

/**
 * Fast workflow-decision tests: the real workflow bundle (TEST_WORKFLOW_BUNDLE from
 * test/global-setup.ts) on the shared dev server, with every activity a jest mock. No database,
 * SMTP or model: what is asserted is what the workflow decided (activities called and with what,
 * timers, results, queries). Every duration comes from the input, in seconds or milliseconds.
 */
export type ActivityMocks = { [K in keyof Activities]?: jest.Mock };

export interface WorkflowHarness {
  client: Client;
  config: Config;
  /** Runs `fn` while a worker with these activities serves a task queue of its own. */
  withWorker<T>(activities: ActivityMocks, fn: (taskQueue: string) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startWorkflowHarness(): Promise<WorkflowHarness> {
  quietTemporalRuntime('ERROR');
  const address = process.env.TEST_TEMPORAL_ADDRESS!;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TEMPORAL_ADDRESS: address, INTERNAL_API_KEY: 'test-internal-api-key-0123456789' });
  const dataConverter = encryptedDataConverter(config);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client,
    config,
    async withWorker(activities, fn) {
      const taskQueue = `wf-${randomUUID()}`;
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue,
        activities,
        workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
        dataConverter,
        sinks: workflowCoverageSinks(),
        shutdownGraceTime: '1s',
      });
      return worker.runUntil(fn(taskQueue));
    },
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/**
 * The re-engagement run's merged database steps (claimReminder, recordReminder) made of the
 * mocked single steps, as the worker makes them of the real ones: tests keep asserting on the
 * single steps, and the merged steps' own order and early returns are exercised too.
 */
export function withReminderSteps<T extends Record<keyof ReminderStepParts, jest.Mock>>(mocks: T): T & { claimReminder: jest.Mock; recordReminder: jest.Mock } {
  const merged = createReminderStepActivities(mocks as unknown as ReminderStepParts, async () => false);
  return { ...mocks, claimReminder: jest.fn(merged.claimReminder), recordReminder: jest.fn(merged.recordReminder) };
}

/** A composed, safe draft as the compose activities return it. */
export function draft(subject = 'We miss you', model = 'gpt-test') {
  return { draft: { subject, body: `${subject}, come back`, call_to_action: 'Book' }, model, promptVersion: 1, templateId: 'tmpl-1' };
}

export const SAFE = { safe: true, checks: [{ name: 'pii', passed: true }] };
