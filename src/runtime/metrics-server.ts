import { createServer, type Server } from 'node:http';
import { metricsRegistry, startProcessMetrics } from '../lib/metrics';

/**
 * A bare `/metrics` endpoint for a process without the API (the standalone worker), so the
 * agents' counters — sends, skips by reason, safety rejections, LLM fallbacks — are scraped there.
 */
export async function startMetricsServer(port: number): Promise<Server> {
  startProcessMetrics();
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return server;
}
