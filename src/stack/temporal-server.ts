import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Client as PgClient } from 'pg';
import { projectRoot } from '../runtime/project-root';
import { stopChild } from '../runtime/stop-child';
import { GRPC, grpcCode } from '../temporal/grpc-errors';
import { ensureNamespaceReady } from '../temporal/namespace-readiness';

const run = promisify(execFile);

/** Where `scripts/install-temporal-server.sh` puts the binaries and schemas. */
export function temporalServerTools(root = projectRoot()) {
  const tools = join(root, '.tools');
  return {
    server: process.env.TEMPORAL_SERVER_PATH ?? join(tools, 'server-bin/server'),
    sqlTool: process.env.TEMPORAL_SQL_TOOL_PATH ?? join(tools, 'sql-bin/sql'),
    ui: process.env.TEMPORAL_UI_SERVER_PATH ?? join(tools, 'ui-bin/server'),
    schemaDir: join(tools, 'temporal-schema/postgresql/v12'),
    install: join(root, 'scripts/install-temporal-server.sh'),
  };
}

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function postgresTarget(databaseUrl: string): PostgresTarget {
  const url = new URL(databaseUrl);
  return { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username || 'postgres'), password: decodeURIComponent(url.password) };
}

function adminUrl(pg: PostgresTarget, database: string): string {
  const auth = pg.password ? `${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}` : encodeURIComponent(pg.user);
  return `postgres://${auth}@${pg.host}:${pg.port}/${database}`;
}

async function withPg<T>(pg: PostgresTarget, database: string, use: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ connectionString: adminUrl(pg, database) });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * The schema job a production deployment runs once per release before the server (what the
 * `auto-setup` image does on every start, which production images do not): create the
 * persistence and visibility databases if absent, then `setup-schema` on a new one and
 * `update-schema` to the versions this server release ships (a no-op when already there).
 */
export async function setupTemporalDatabases(pg: PostgresTarget, databases: { persistence: string; visibility: string }, sqlTool: string, schemaDir: string): Promise<void> {
  for (const [kind, database] of [['temporal', databases.persistence], ['visibility', databases.visibility]] as const) {
    const exists = await withPg(pg, 'postgres', async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1);
    if (!exists) await withPg(pg, 'postgres', (c) => c.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`));
    const hasSchema = await withPg(pg, database, async (c) => (await c.query("SELECT 1 FROM pg_tables WHERE tablename = 'schema_version'")).rowCount === 1);
    const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, ...(pg.password ? ['--pw', pg.password] : []), '--db', database];
    if (!hasSchema) await run(sqlTool, [...base, 'setup-schema', '-v', '0.0']);
    await run(sqlTool, [...base, 'update-schema', '-d', join(schemaDir, kind, 'versioned')]);
  }
}

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * Free ports for the server's services. Not the kernel's ephemeral ones: the cluster membership
 * table stores ports as smallint (≤ 32767), so they are drawn from 20000–32000.
 */
export async function choosePorts(): Promise<ServerPorts> {
  const names = ['frontend', 'frontendHttp', 'frontendMembership', 'history', 'historyMembership', 'matching', 'matchingMembership', 'worker', 'workerMembership', 'metrics'] as const;
  const ports = {} as ServerPorts;
  const taken = new Set<number>();
  for (const name of names) {
    let port: number;
    do port = 20_000 + Math.floor(Math.random() * 12_000);
    while (taken.has(port) || !(await portIsFree(port)));
    taken.add(port);
    ports[name] = port;
  }
  return ports;
}

export interface ServerConfigOptions {
  pg: PostgresTarget;
  databases: { persistence: string; visibility: string };
  ports: ServerPorts;
  /** History shards: fixed for the life of a cluster (chosen once, like the databases). */
  historyShards: number;
}

const yamlString = (value: string) => JSON.stringify(value);

/** The server's configuration: the module's `development-postgres12.yaml` with our ports and databases. */
export function serverConfigYaml({ pg, databases, ports, historyShards }: ServerConfigOptions, dynamicConfigPath: string): string {
  const store = (database: string, maxConns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: ${yamlString(database)}
        connectAddr: ${yamlString(`${pg.host}:${pg.port}`)}
        connectProtocol: "tcp"
        user: ${yamlString(pg.user)}
        password: ${yamlString(pg.password)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  return `log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${historyShards}
  datastores:
    postgres-default:${store(databases.persistence, 20)}
    postgres-visibility:${store(databases.visibility, 4)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${ports.metrics}"

services:
  frontend:${service(ports.frontend, ports.frontendMembership, ports.frontendHttp)}
  matching:${service(ports.matching, ports.matchingMembership)}
  history:${service(ports.history, ports.historyMembership)}
  worker:${service(ports.worker, ports.workerMembership)}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: ${yamlString(dynamicConfigPath)}
  pollInterval: "10s"
`;
}

/** Dynamic config: the throughput settings measured on the dev server apply here too. */
export const DYNAMIC_CONFIG = `system.enableActivityEagerExecution:
  - value: true
system.forceSearchAttributesCacheRefreshOnRead:
  - value: false
`;

export interface TemporalServer {
  address: string;
  ports: ServerPorts;
  pid(): number | undefined;
  /** Stops the server process (SIGTERM, SIGKILL after the grace time). */
  stop(): Promise<void>;
  /** Stops and starts it again on the same ports and databases (the chaos suite's fault). */
  restart(): Promise<void>;
}

export interface StartServerOptions extends ServerConfigOptions {
  serverBinary: string;
  /** Folder for the generated configuration and the server's log. */
  dir: string;
  startTimeoutMs?: number;
}

/** Starts the real Temporal server (all four services in one process) and waits until its frontend answers. */
export async function startTemporalServer(options: StartServerOptions): Promise<TemporalServer> {
  const configDir = join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigPath = join(configDir, 'dynamicconfig.yaml');
  writeFileSync(join(configDir, 'stack.yaml'), serverConfigYaml(options, dynamicConfigPath));
  writeFileSync(dynamicConfigPath, DYNAMIC_CONFIG);
  const address = `127.0.0.1:${options.ports.frontend}`;
  const logFile = join(options.dir, 'temporal-server.log');
  let child: ChildProcess | undefined;

  const launch = async () => {
    const fd = openSync(logFile, 'a');
    const started = spawn(options.serverBinary, ['--root', options.dir, '--config', 'config', '--env', 'stack', 'start'], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child = started;
    const killOnExit = () => started.kill('SIGKILL');
    process.once('exit', killOnExit);
    started.once('exit', () => process.off('exit', killOnExit));
    await waitForFrontend(address, started, options.startTimeoutMs ?? 120_000, logFile);
  };
  await launch();
  return {
    address,
    ports: options.ports,
    pid: () => child?.pid,
    stop: async () => {
      if (child) await stopChild(child, 20_000);
    },
    async restart() {
      if (child) await stopChild(child, 20_000);
      await launch();
    },
  };
}

async function waitForFrontend(address: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Temporal server exited with code ${child.exitCode}; see ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        // the system namespace answers once persistence and the namespace registry are up
        await connection.workflowService.describeNamespace({ namespace: 'temporal-system' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`Temporal server not ready at ${address} after ${timeoutMs} ms (${String(lastError)}); see ${logFile}`);
}

/**
 * Registers the namespace (with its retention) if absent and the project's search attributes —
 * what the compose stack's one-shot `temporal-setup` job does. Idempotent.
 */
export async function ensureNamespace(address: string, namespace: string, retention: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(retention) });
    } catch (error) {
      if (grpcCode(error) !== GRPC.ALREADY_EXISTS) throw error;
    }
    // a new namespace reaches every service's registry within the refresh interval (about 10 s)
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await ensureNamespaceReady(connection, { namespace, address, register: true });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}

export function serverInstalled(tools = temporalServerTools()): boolean {
  return [tools.server, tools.sqlTool, tools.ui].every((path) => existsSync(path)) && existsSync(tools.schemaDir);
}
