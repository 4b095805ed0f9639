import { bundleWorkflowCode, NativeConnection, Worker, type BundleOptions, type InjectedSinks, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { resolve } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import type { Tracing } from '../runtime/tracing';
import { FAILURE_CONVERTER_PATH } from './codec/data-converter';
import { TRACING_WORKFLOW_INTERCEPTORS, tracingWorkerOptions } from './tracing';

// compiled (dist/) the workflows are JavaScript next to this file; under tsx, the sources
export const WORKFLOWS_PATH = resolve(__dirname, `../workflows/index.${__filename.endsWith('.js') ? 'js' : 'ts'}`);

/**
 * Bundles the workflow code once; the worker and every test reuse the result. With `tracing` the
 * OpenTelemetry workflow interceptors go into the bundle (they run inside the sandbox); without,
 * the bundle has none and workflows pay nothing for tracing. Tests may add options (coverage
 * instrumentation); their interceptor modules are added to tracing's.
 */
export async function bundleWorkflows(options: { tracing?: boolean } & Partial<BundleOptions> = {}): Promise<WorkflowBundleWithSourceMap> {
  const { tracing, ...extra } = options;
  const interceptors = [...(tracing ? [TRACING_WORKFLOW_INTERCEPTORS] : []), ...(extra.workflowInterceptorModules ?? [])];
  // the failure converter runs inside the workflow sandbox too: workflow failures are encoded there
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietBundlerLogger,
    ...extra,
    workflowInterceptorModules: interceptors.length > 0 ? interceptors : undefined,
  });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A prebuilt bundle, or the path of one written by the test harness. */
  workflowBundle: WorkflowBundleWithSourceMap | { codePath: string };
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxCachedWorkflows?: number;
  /** How long activities in flight may finish after shutdown() before they are cancelled (5 s). */
  shutdownGraceTimeMs?: number;
  /** The encrypting data converter (`encryptedDataConverter`); the client must use the same keys. */
  dataConverter: DataConverter;
  /** Activity spans and the workflow span sink; the bundle must then include the workflow interceptors. */
  tracing?: Tracing;
  /** Sinks the bundle calls (the test harness's workflow coverage); none in production. */
  sinks?: InjectedSinks<any>;
}

/**
 * How long one workflow activation may run in the sandbox before the worker gives up on it. The
 * SDK's 5 s default is a wall-clock limit enforced by `vm`'s timeout; when it fires inside the
 * sandbox's microtasks Node aborts the whole process ("async hook stack has become corrupted",
 * nodejs/node#38503, temporalio/sdk-typescript#939). On a CPU-starved machine an ordinary
 * activation passes 5 s of wall time, so the chaos suite saw workers die every few minutes with
 * nothing wrong in the workflow. A real deadlock is still caught, later. `isolateExecutionTimeout`
 * is an option the SDK reads but does not declare in its public type.
 */
export const ISOLATE_EXECUTION_TIMEOUT = '60s';

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  const sandbox = { isolateExecutionTimeout: ISOLATE_EXECUTION_TIMEOUT };
  return Worker.create({
    ...sandbox,
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    workflowBundle: options.workflowBundle,
    dataConverter: options.dataConverter,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
    maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions ?? 40,
    maxCachedWorkflows: options.maxCachedWorkflows ?? 1000,
    shutdownGraceTime: options.shutdownGraceTimeMs ?? 5000,
    ...withSinks(tracingWorkerOptions(options.tracing), options.sinks),
  });
}

/** Tracing's span sink and any other sinks (the test harness's coverage) side by side. */
function withSinks<T extends { sinks?: InjectedSinks<any> }>(options: T, sinks: InjectedSinks<any> | undefined): T {
  return sinks ? { ...options, sinks: { ...options.sinks, ...sinks } } : options;
}
