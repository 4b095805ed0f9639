import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Config } from '../config';

/** The process's tracer: where spans go, and what names the process in them. */
export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Flushes the spans still buffered (call on shutdown, after the worker and API stopped). */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/** The tracing this process started, if any: the Temporal client, worker and Express app consult it. */
export function activeTracing(): Tracing | undefined {
  return active;
}

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP collector base URL; spans are posted to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** Where spans go instead of OTLP (tests: an in-memory exporter behind a SimpleSpanProcessor). */
  spanProcessor?: SpanProcessor;
}

/**
 * Starts OpenTelemetry tracing when an endpoint (or a processor) is given, and does nothing
 * otherwise: no provider, no interceptors, no span objects — tracing off costs nothing. Registers
 * the global provider with the AsyncLocalStorage context manager and the W3C trace-context
 * propagator, so an HTTP request's span is the parent of the workflow start made while serving it.
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (active) return active;
  if (!options.spanProcessor && !options.endpoint) return undefined;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: options.serviceName });
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const tracing: Tracing = {
    resource,
    spanProcessor,
    async shutdown() {
      if (active === tracing) active = undefined;
      await provider.shutdown();
    },
  };
  active = tracing;
  return tracing;
}

/** OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME from the configuration. */
export function startTracingFromConfig(config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>, defaultServiceName: string): Tracing | undefined {
  return startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? defaultServiceName, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
}
