import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { openDependencies, type Dependencies } from '../runtime/dependencies';
import { exitWithError, runUntilSignalled } from '../runtime/process';
import { connectClient, temporalTarget } from '../temporal/client';
import { createApp } from './app';

export interface RunningApi {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Serves the Express app on PORT; stopping closes idle and open connections. */
export async function startApi(config: Config, deps: Dependencies, temporal: Client): Promise<RunningApi> {
  const app = createApp({ config, db: deps.db, temporal, mailer: deps.mailer, logger: deps.logger });
  const server: Server = await new Promise((resolve, reject) => {
    // Express 5 hands listen errors (port in use) to the callback rather than throwing.
    const s = app.listen(config.PORT, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as { port: number };
  const url = `http://localhost:${port}`;
  deps.logger.info({ url }, 'api listening');
  return {
    server,
    url,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // clicks answered just before the stop still reach their workflows
      await app.drainBackground();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const deps = await openDependencies(config);
  const temporal = await connectClient(temporalTarget(config), config);
  const api = await startApi(config, deps, temporal);
  await runUntilSignalled(deps.logger, async () => {
    await api.stop();
    await temporal.connection.close();
    await deps.close();
  });
}

if (require.main === module) void main().catch(exitWithError);
