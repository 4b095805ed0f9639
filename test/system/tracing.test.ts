import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Worker } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createLogger } from '../../src/lib/logger';
import { createOpenAiClient } from '../../src/llm/openai-client';
import { startTracing, type Tracing } from '../../src/runtime/tracing';
import { encryptedDataConverter } from '../../src/temporal/codec/data-converter';
import { bundleWorkflows, createWorker } from '../../src/temporal/worker-factory';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { createCustomer, createService, runSegment, smartEngageEnv, waitForJob } from '../smartengage/fixtures';

/**
 * One run-segment request's trace, API and worker in this process with an in-memory exporter:
 * the HTTP span, StartWorkflow/RunWorkflow of the campaign and of each reminder, and every
 * activity, under one trace id — with the encrypting data converter on both sides (the trace
 * context travels in Temporal headers, which the payload codec must leave readable).
 */
jest.setTimeout(240_000);

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let system: TestSystem;
let llm: TestOpenAiServer;
let worker: Worker;
let workerRun: Promise<void>;
let connection: NativeConnection;

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'shoktiai-test', spanProcessor: new SimpleSpanProcessor(exporter) })!;
  llm = await startOpenAiServer();
  system = await startTestSystem({ worker: false, env: smartEngageEnv(llm.baseUrl) });
  connection = await NativeConnection.connect({ address: system.config.TEMPORAL_ADDRESS! });
  const { config, db, mailer } = system;
  worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: system.taskQueue,
    activities: createActivities({ config, db, mailer, logger: createLogger('silent'), openai: createOpenAiClient(config) }),
    // the workflow interceptors live in the bundle: this test builds its own, with them
    workflowBundle: await bundleWorkflows({ tracing: true }),
    dataConverter: encryptedDataConverter(config),
    tracing,
  });
  workerRun = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await connection?.close();
  await system?.stop();
  await llm?.close();
  await tracing?.shutdown();
});

const named = (spans: ReadableSpan[], prefix: string) => spans.filter((span) => span.name.startsWith(prefix));

it('follows one run-segment request from the HTTP span through the workflows to each activity, under one trace id', async () => {
  const serviceId = await createService(system.db);
  await createCustomer(system.db, { serviceId });
  await createCustomer(system.db, { serviceId });
  exporter.reset();

  const started = await runSegment(system, {}, { 'x-correlation-id': 'trace-1' });
  expect(started.status).toBe(202);
  const job = await waitForJob(system, started.body.job_id, 120_000);
  expect(job.status).toBe('COMPLETED');

  const http = await eventually(async () => exporter.getFinishedSpans().find((span) => span.name === 'POST /internal/ai/smartengage/run-segment'));
  const traceId = http.spanContext().traceId;
  expect(http.attributes).toMatchObject({ 'http.route': '/internal/ai/smartengage/run-segment', 'http.response.status_code': 202, 'correlation.id': 'trace-1' });

  // workflow spans leave the sandbox through a sink after each activation: wait for the reminders'
  const spans = await eventually(async () => {
    const inTrace = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    return named(inTrace, 'RunWorkflow:').length >= 3 && named(inTrace, 'RunActivity:').length >= 2 ? inTrace : null;
  }, 60_000, 250);

  const names = spans.map((span) => span.name);
  expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^StartWorkflow:/), expect.stringMatching(/^RunWorkflow:/), expect.stringMatching(/^StartActivity:/), expect.stringMatching(/^RunActivity:/)]));
  // the campaign's StartWorkflow is a child of the HTTP span: the request's context reached the client
  const startCampaign = named(spans, 'StartWorkflow:')[0];
  expect(startCampaign.parentSpanId).toBe(http.spanContext().spanId);
  // every reminder ran its activities in this trace (a child workflow per customer)
  expect(named(spans, 'RunWorkflow:').length).toBeGreaterThanOrEqual(3);
  const activities = new Set(named(spans, 'RunActivity:').map((span) => span.name));
  expect(activities.size).toBeGreaterThanOrEqual(2);
  // every span of the trace hangs off another span of the same trace: nothing is orphaned
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  for (const span of spans) if (span !== http) expect(ids.has(span.parentSpanId!)).toBe(true);
});
