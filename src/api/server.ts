import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { openDependencies, type Dependencies } from '../runtime/dependencies';
import { startTracingFromConfig } from '../runtime/tracing';
import { exitWithError, runUntilSignalled } from '../runtime/process';
import { connectClient, temporalTarget } from '../temporal/client';
import { verifyTemporalAtStartup } from '../temporal/namespace-readiness';
import { startInboundSmtp, type InboundSmtp } from '../replies/inbound-smtp';
import { receiveReply } from '../temporal/clients/reply';
import { createApp } from './app';
import { createHttpServer, type HttpTimeouts } from './http-server';

export function httpTimeouts(config: Config): HttpTimeouts {
  return { headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS };
}

export interface RunningApi {
  server: Server;
  url: string;
  /** The inbound reply listener's port, when INBOUND_SMTP_PORT is set. */
  inboundSmtpPort?: number;
  stop(): Promise<void>;
}

/** Serves the Express app on PORT; stopping lets requests in flight finish (closeGracefully). */
export async function startApi(config: Config, deps: Dependencies, temporal: Client): Promise<RunningApi> {
  const { address, namespace } = temporalTarget(config);
  await verifyTemporalAtStartup(temporal.connection, { address: config.TEMPORAL_ADDRESS ?? address, namespace }, config.TEMPORAL_REGISTER_SEARCH_ATTRIBUTES, deps.logger);
  const app = createApp({ config, db: deps.db, temporal, mailer: deps.mailer, logger: deps.logger });
  const server = createHttpServer(app, httpTimeouts(config));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  const url = `http://localhost:${port}`;
  deps.logger.info({ url }, 'api listening');
  const inbound = await startInboundReplies(config, deps, temporal);
  return {
    server,
    url,
    ...(inbound ? { inboundSmtpPort: inbound.port } : {}),
    async stop() {
      await inbound?.close();
      await closeGracefully(server, config.API_SHUTDOWN_GRACE_SECONDS * 1000);
      // the signals not yet sent stay in the outbox for another API process, or this one's restart
      await app.drainBackground();
    },
  };
}

/**
 * The API process also receives email replies (DESIGN.md "Replies understood") when
 * INBOUND_SMTP_PORT is set: the listener hands each reply to the same reply path as
 * `POST /messages/:id/reply`.
 */
async function startInboundReplies(config: Config, deps: Dependencies, temporal: Client): Promise<InboundSmtp | undefined> {
  if (config.INBOUND_SMTP_PORT === undefined) return undefined;
  return startInboundSmtp({
    settings: config,
    port: config.INBOUND_SMTP_PORT,
    maxBytes: config.INBOUND_MAX_BYTES,
    logger: deps.logger,
    onReply: (reply) => receiveReply({ db: deps.db, temporal, config }, reply),
  });
}

/**
 * Stops accepting connections, lets the requests in flight finish (idle keep-alive connections
 * are closed as they become idle), and cuts whatever is still open after `graceMs`: a rolling
 * restart answers every request it had accepted instead of resetting the connection.
 */
export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  server.closeIdleConnections();
  try {
    await closed;
  } finally {
    clearInterval(idleSweep);
    clearTimeout(deadline);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = startTracingFromConfig(config, 'shoktiai-api');
  const deps = await openDependencies(config);
  const temporal = await connectClient(temporalTarget(config), config);
  const api = await startApi(config, deps, temporal);
  await runUntilSignalled(deps.logger, async () => {
    await api.stop();
    await temporal.connection.close();
    await deps.close();
    await tracing?.shutdown();
  });
}

if (require.main === module) void main().catch(exitWithError);
