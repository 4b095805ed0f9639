import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { GENERATED_SECRETS } from '../security/dev-secrets';
import { encryptedDataConverter } from '../temporal/codec/data-converter';
import { Client as PgClient } from 'pg';
import { loadConfig } from '../config';
import { seedDemoDataIfEmpty } from '../db/demo-data';
import { createDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { createLogger } from '../lib/logger';
import { spawnNodeService, waitForApi, waitForWorker, type NodeService } from '../runtime/node-service';
import { projectRoot } from '../runtime/project-root';
import { workerNodeOptions } from '../runtime/worker-heap';
import { ensureDailySchedule } from '../temporal/clients/cadence-schedule';
import { freePort } from '../temporal/dev-server';
import { startTemporalUi, type TemporalUi } from './temporal-ui';
import { startCodecProxy, type CodecProxy } from './codec-proxy';
import {
  choosePorts,
  ensureNamespace,
  postgresTarget,
  serverInstalled,
  setupTemporalDatabases,
  startTemporalServer,
  temporalServerTools,
  type TemporalServer,
} from './temporal-server';

/** Closed runs stay visible for 30 days, as in docker-compose.yml's namespace setup. */
export const NAMESPACE_RETENTION = '720h';

export interface StackOptions {
  databaseUrl: string;
  /** Temporal's persistence database; visibility is `<name>_visibility` (docker-compose: temporal, temporal_visibility). */
  temporalDatabase: string;
  namespace: string;
  taskQueue: string;
  workers: number;
  apis: number;
  /** First API port; 0 chooses free ports. */
  apiPort: number;
  /** The first API's inbound SMTP port for email replies; 0 chooses a free one. */
  inboundSmtpPort: number;
  uiPort: number;
  historyShards: number;
  /** Where the generated configuration, secrets and logs go. */
  dir: string;
  /** Environment for every API and worker over the stack's own (SMTP, LLM, CN_* …). */
  serviceEnv: Record<string, string>;
  demoData: boolean;
  /** Start the Web UI (the chaos suite does not need it). */
  ui: boolean;
  log: (line: string) => void;
}

export interface StackService extends NodeService {
  url?: string;
}

export interface Stack {
  server: TemporalServer;
  ui?: TemporalUi;
  /** The UI's codec endpoint: decrypts payloads through the APIs for the UI's pages. */
  codec?: CodecProxy;
  client: Client;
  workers: StackService[];
  apis: StackService[];
  /** Where the first API receives email replies (SMTP, every interface, as the MX for INBOUND_DOMAIN). */
  inboundSmtp: string;
  /** The generated secrets (INTERNAL_API_KEY among them), kept across restarts. */
  secretsFile: string;
  /** The environment every service runs with. */
  env: Record<string, string>;
  /** A new worker process, returned once it polls the task queue. */
  addWorker(): Promise<StackService>;
  addApi(): Promise<StackService>;
  stop(): Promise<void>;
}

export function stackOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): StackOptions {
  const int = (name: string, fallback: number) => {
    const value = env[name] ? Number(env[name]) : fallback;
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number (got "${env[name]}")`);
    return value;
  };
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/shoktiai',
    temporalDatabase: env.STACK_TEMPORAL_DB ?? 'temporal',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'shoktiai',
    workers: int('STACK_WORKERS', 2),
    apis: int('STACK_APIS', 2),
    apiPort: int('STACK_API_PORT', 3000),
    inboundSmtpPort: int('INBOUND_SMTP_PORT', 2525),
    uiPort: int('STACK_UI_PORT', 0),
    historyShards: int('STACK_HISTORY_SHARDS', 4),
    dir: env.STACK_DIR ?? join(projectRoot(), 'var/stack'),
    serviceEnv: {},
    demoData: env.DEMO_DATA !== 'false',
    ui: true,
    log,
  };
}

/**
 * Secrets for a stack started without them: generated once and kept in the stack's folder, so a
 * restart keeps issued tokens and links valid. A real deployment passes its own.
 */
const secretsFile = (dir: string) => join(dir, 'secrets.json');

function stackSecrets(dir: string): Record<string, string> {
  const file = secretsFile(dir);
  const existing: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const generated = Object.entries(GENERATED_SECRETS).map(([name, make]) => [name, existing[name] ?? make()]);
  const secrets = { ...Object.fromEntries(generated), INTERNAL_API_KEY: existing.INTERNAL_API_KEY ?? randomBytes(32).toString('base64url') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new PgClient({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** The compiled entry points when this file runs compiled (production), the sources under tsx (development). */
function entryPoint(relative: 'worker' | 'api/server'): string {
  const compiled = __filename.endsWith('.js');
  return join(__dirname, '..', `${relative}.${compiled ? 'js' : 'ts'}`);
}

/**
 * The production topology on one machine: the real Temporal server on PostgreSQL (schema job,
 * server, namespace and search attributes), its Web UI, then the one-shot jobs (migrations,
 * demo data on an empty database, the daily schedule), `workers` worker processes and `apis` API
 * processes. Each step is what docker-compose.yml runs as its own container.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { log } = options;
  mkdirSync(options.dir, { recursive: true });
  const tools = temporalServerTools();
  if (!serverInstalled(tools)) {
    log('building the Temporal server, its schema tool and UI (first time only, several minutes)…');
    execFileSync('bash', [tools.install], { stdio: 'inherit' });
  }

  const pg = postgresTarget(options.databaseUrl);
  const databases = { persistence: options.temporalDatabase, visibility: `${options.temporalDatabase}_visibility` };
  log(`Temporal schema job: databases ${databases.persistence}, ${databases.visibility} on ${pg.host}:${pg.port}`);
  await setupTemporalDatabases(pg, databases, tools.sqlTool, tools.schemaDir);
  const server = await startTemporalServer({ serverBinary: tools.server, dir: join(options.dir, 'temporal'), pg, databases, ports: await choosePorts(), historyShards: options.historyShards });
  const stopping: Array<() => Promise<void>> = [() => server.stop()];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
  };
  try {
    await ensureNamespace(server.address, options.namespace, NAMESPACE_RETENTION);
    const connection = await Connection.connect({ address: server.address });
    stopping.push(() => connection.close());

    const secrets = stackSecrets(options.dir);
    const apiUrls: string[] = [];
    const firstApiPort = options.apiPort || (await freePort());
    const inboundSmtpPort = options.inboundSmtpPort || (await freePort());
    const uiPort = options.uiPort || (await freePort());
    const uiOrigins = [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
    const codec = options.ui
      ? await startCodecProxy({ port: 0, uiOrigins, apis: () => apiUrls, internalApiKey: options.serviceEnv.INTERNAL_API_KEY ?? process.env.INTERNAL_API_KEY ?? secrets.INTERNAL_API_KEY })
      : undefined;
    if (codec) stopping.push(() => codec.stop());
    const ui = options.ui
      ? await startTemporalUi({
          binary: tools.ui,
          dir: join(options.dir, 'ui'),
          temporalAddress: server.address,
          port: uiPort,
          namespace: options.namespace,
          corsOrigins: [`http://localhost:${firstApiPort}`],
          codecEndpoint: codec?.endpoint,
        })
      : undefined;
    if (ui) stopping.push(() => ui.stop());

    await ensureDatabaseExists(options.databaseUrl);
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: options.namespace,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${firstApiPort}`,
      DEMO_DATA: 'false',
      // the UI's pages may call the APIs' codec routes too (CORS), e.g. with a token of their own
      ...(options.ui ? { TEMPORAL_UI_ORIGINS: uiOrigins.join(',') } : {}),
      ...secrets,
      ...pickDefined(process.env, ['JWT_SECRET', 'DEEPLINK_SECRET', 'PAYLOAD_CODEC_KEY', 'INTERNAL_API_KEY']),
      ...pickDefined(process.env, OPERATOR_SETTINGS),
      ...options.serviceEnv,
    };

    // one-shot jobs, as docker-compose's `migrate` service
    const config = loadConfig({ ...process.env, ...env, LOG_LEVEL: 'warn' });
    const client = new Client({ connection, namespace: options.namespace, dataConverter: encryptedDataConverter(config) });
    const db = await createDatabase({ url: options.databaseUrl, poolMax: 2 });
    try {
      const applied = await migrateToLatest(db);
      if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
      if (options.demoData) await seedDemoDataIfEmpty(db);
    } finally {
      await db.destroy();
    }
    await whileSearchAttributesPropagate(() => ensureDailySchedule(client, config, createLogger('warn')));

    const logs = join(options.dir, 'logs');
    const workers: StackService[] = [];
    const apis: StackService[] = [];
    stopping.push(async () => {
      await Promise.all(apis.map((api) => api.stop()));
      await Promise.all(workers.map((worker) => worker.stop()));
    });
    let workerCount = 0;
    let apiCount = 0;
    const addWorker = async () => {
      const name = `worker-${++workerCount}`;
      const metricsPort = String(await freePort());
      const service = spawnNodeService(name, entryPoint('worker'), { ...env, WORKER_METRICS_PORT: metricsPort, NODE_OPTIONS: workerNodeOptions() }, join(logs, `${name}.log`));
      workers.push(service);
      await waitForWorker(service, client, options.taskQueue);
      return Object.assign(service, { url: `http://localhost:${metricsPort}/metrics` });
    };
    const addApi = async () => {
      const name = `api-${++apiCount}`;
      const port = apiCount === 1 ? firstApiPort : options.apiPort ? options.apiPort + apiCount - 1 : await freePort();
      // the first API process also receives email replies (one SMTP port); the others serve HTTP only
      const inbound = apiCount === 1 ? String(inboundSmtpPort) : '';
      const service = spawnNodeService(name, entryPoint('api/server'), { ...env, PORT: String(port), INBOUND_SMTP_PORT: inbound }, join(logs, `${name}.log`));
      apis.push(service);
      const url = `http://localhost:${port}`;
      await waitForApi(service, url);
      apiUrls.push(url);
      return Object.assign(service, { url });
    };
    // started one after another: each compiles the workflow bundle, which takes a core for seconds
    for (let i = 0; i < options.workers; i++) await addWorker();
    for (let i = 0; i < options.apis; i++) await addApi();
    return { server, ui, codec, client, workers, apis, inboundSmtp: `smtp://localhost:${inboundSmtpPort}`, secretsFile: secretsFile(options.dir), env, addWorker, addApi, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * On a new cluster the search attributes just registered are listed at once, but each frontend
 * validates against its namespace cache, refreshed every ~10 s (more under load): until then a
 * create that sets them fails with "no mapping defined for search attribute". Retried for a minute.
 */
async function whileSearchAttributesPropagate<T>(create: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await create();
    } catch (error) {
      const text = `${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`;
      if (!/no mapping defined for search attribute/i.test(text) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * Settings the stack hands its services from the operator's environment as they are, with no
 * value of its own (docker-compose.yml passes the same ones as `${NAME:-}`): the Sent mailbox of
 * the mail account, whose URL carries a password.
 */
export const OPERATOR_SETTINGS = ['SENT_MAILBOX_URL'] as const;

function pickDefined(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => env[name]).map((name) => [name, env[name]!]));
}
