import { createServer, type Server } from 'node:http';
import { Gauge } from 'prom-client';
import { messagesSent, metricsRegistry } from '../../src/lib/metrics';
import { startMetricsServer } from '../../src/runtime/metrics-server';

/** The standalone worker's /metrics endpoint: the agents' counters and the process metrics, nothing else. */
let server: Server;
let base: string;
beforeAll(async () => {
  server = await startMetricsServer(0);
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

it('serves the Prometheus text at /metrics, agent counters and process metrics included', async () => {
  messagesSent.inc({ agent: 'coachnova', message_type: 'COACHING', channel: 'IN_APP' });
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(metricsRegistry.contentType);
  const text = await res.text();
  expect(text).toMatch(/^shoktiai_messages_sent_total\{agent="coachnova",message_type="COACHING",channel="IN_APP"\} [1-9]/m);
  expect(text).toContain('process_cpu_user_seconds_total');
});

it('answers 404 anywhere else', async () => {
  for (const path of ['/', '/metrics/', '/health']) {
    const res = await fetch(`${base}${path}`);
    expect(`${path} ${res.status}`).toBe(`${path} 404`);
  }
});

it('answers 500 when a metric cannot be collected', async () => {
  const name = 'test_broken_gauge';
  new Gauge({
    name,
    help: 'a collector that throws',
    collect() {
      throw new Error('collector failed');
    },
  });
  try {
    expect((await fetch(`${base}/metrics`)).status).toBe(500);
  } finally {
    metricsRegistry.removeSingleMetric(name);
  }
  expect((await fetch(`${base}/metrics`)).status).toBe(200);
});

it('fails to start on a port already taken', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, resolve));
  try {
    await expect(startMetricsServer((taken.address() as { port: number }).port)).rejects.toThrow(/EADDRINUSE/);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
