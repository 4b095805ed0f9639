import { createServer, type Server } from 'node:http';
import { trace } from '@opentelemetry/api';
import { loadConfig } from '../../src/config';
import { activeTracing, startTracingFromConfig } from '../../src/runtime/tracing';

/** Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; set, spans are posted there over OTLP/HTTP. */
let server: Server;
const received: Array<{ path: string; bytes: number }> = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      received.push({ path: req.url ?? '', bytes });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await activeTracing()?.shutdown();
  await new Promise((resolve) => server.close(resolve));
});

it('installs nothing without an endpoint', () => {
  expect(startTracingFromConfig(loadConfig({ NODE_ENV: 'test' }), 'shoktiai-test')).toBeUndefined();
  expect(activeTracing()).toBeUndefined();
});

it('posts spans to <endpoint>/v1/traces when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
  const { port } = server.address() as { port: number };
  const tracing = startTracingFromConfig(loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/` }), 'shoktiai-test');
  expect(tracing).toBeDefined();
  expect(activeTracing()).toBe(tracing);
  trace.getTracer('test').startActiveSpan('one', (span) => span.end());
  await tracing!.shutdown(); // flushes the batch
  expect(received).toEqual([expect.objectContaining({ path: '/v1/traces' })]);
  expect(received[0].bytes).toBeGreaterThan(0);
});
