import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, OpenTelemetryWorkflowClientInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { Tracing } from '../runtime/tracing';

/* eslint-disable @typescript-eslint/no-explicit-any -- the sink type of the interceptors package */

/**
 * The workflow half of the tracing interceptors. It runs inside the workflow sandbox, so it goes
 * into the bundle (bundleWorkflows({ tracing: true })); it sends workflow spans out through the
 * `exporter` sink and puts the trace context into each activity's headers.
 */
export const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** StartWorkflow / SignalWorkflow spans, with the caller's trace context passed in the workflow's headers. */
export function tracingClientInterceptors(tracing: Tracing | undefined): ClientInterceptors | undefined {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

/** RunActivity spans (child of the workflow's span, from the headers) and the sink for workflow spans. */
export function tracingWorkerOptions(tracing: Tracing | undefined): { interceptors?: WorkerInterceptors; sinks?: InjectedSinks<any> } {
  if (!tracing) return {};
  return {
    interceptors: {
      client: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
