import { randomBytes, randomUUID } from 'node:crypto';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { loadConfig } from '../../src/config';
import { connectClient, temporalTarget } from '../../src/temporal/client';
import { ENCRYPTED_ENCODING } from '../../src/temporal/codec/encryption-codec';
import { SEARCH_ATTRIBUTES, searchAttributeFlags } from '../../src/temporal/search-attributes';
import { tracingClientInterceptors, tracingWorkerOptions } from '../../src/temporal/tracing';

/** The client the API and scripts connect with (`npm start`, `src/api/server.ts`). */
const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', PAYLOAD_CODEC_KEY: randomBytes(32).toString('base64') };

describe('the Temporal target from the configuration', () => {
  it('is the local dev server in the default namespace, without TLS, when nothing is configured', () => {
    expect(temporalTarget(loadConfig(base))).toEqual({ address: '127.0.0.1:7233', namespace: 'default', apiKey: undefined, tls: false });
  });

  it('takes TEMPORAL_ADDRESS, or the address a script started a server at, and the namespace', () => {
    const config = loadConfig({ ...base, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'shoktiai' });
    expect(temporalTarget(config)).toMatchObject({ address: 'temporal.internal:7233', namespace: 'shoktiai' });
    expect(temporalTarget(config, '127.0.0.1:40001')).toMatchObject({ address: '127.0.0.1:40001', namespace: 'shoktiai' });
  });

  it('uses TLS with an API key (Temporal Cloud) or when TEMPORAL_TLS asks for it', () => {
    expect(temporalTarget(loadConfig({ ...base, TEMPORAL_API_KEY: 'cloud-key' }))).toMatchObject({ apiKey: 'cloud-key', tls: true });
    expect(temporalTarget(loadConfig({ ...base, TEMPORAL_TLS: 'true' }))).toMatchObject({ apiKey: undefined, tls: true });
  });
});

describe('connectClient', () => {
  it('talks to the configured namespace and encrypts what it sends with the payload key', async () => {
    const config = loadConfig({ ...base, TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS! });
    const client = await connectClient(temporalTarget(config), config);
    try {
      expect(client.options.namespace).toBe('default');
      const handle = await client.workflow.start('reengageCustomer', { workflowId: `connect-${randomUUID()}`, taskQueue: `idle-${randomUUID()}`, args: [{ customerId: 'Zarifa' }] });
      const history = await handle.fetchHistory();
      const input = history.events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(input?.data ?? []).toString()).not.toContain('Zarifa');
      await handle.terminate('test over');
    } finally {
      await client.connection.close();
    }
  });
});

describe('Temporal tracing hooks and dev-server flags', () => {
  it('adds nothing with tracing off, and with tracing on the OpenTelemetry client interceptor, activity interceptors and the span exporter sink', () => {
    expect(tracingClientInterceptors(undefined)).toBeUndefined();
    expect(tracingWorkerOptions(undefined)).toEqual({});
    const tracing = { resource: new Resource({ 'service.name': 'test' }), spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()), shutdown: async () => undefined };
    expect(tracingClientInterceptors(tracing)!.workflow).toEqual([expect.any(OpenTelemetryWorkflowClientInterceptor)]);
    const worker = tracingWorkerOptions(tracing);
    expect(worker.interceptors!.activity).toHaveLength(1);
    expect(worker.interceptors!.client!.workflow).toEqual([expect.any(OpenTelemetryWorkflowClientInterceptor)]);
    expect(Object.keys(worker.sinks!)).toEqual(['exporter']);
  });

  it('starts a dev server with every search attribute the workflows set, as Keyword, unless told which', () => {
    expect(searchAttributeFlags()).toEqual(SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]));
    expect(searchAttributeFlags(['AgentType'])).toEqual(['--search-attribute', 'AgentType=Keyword']);
  });
});
