import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { workerNodeOptions } from '../../src/runtime/worker-heap';
import { encryptedDataConverter } from '../../src/temporal/codec/data-converter';
import { startDevServer, freePort, type DevServer } from '../../src/temporal/dev-server';
import { seedCatalogue } from '../data/catalogue';
import { createBenchDatabase, type BenchDatabase } from './database';
import { startBenchLlm } from './llm';
import { BENCH_VAR, spawnService, waitForApi, waitForWorker, type ServiceProcess } from './processes';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

/** Secrets for this run only (production mode refuses any value written in the repository). */
export const INTERNAL_API_KEY = randomBytes(24).toString('base64url');
export const RUN_SECRETS = {
  JWT_SECRET: randomBytes(48).toString('base64url'),
  DEEPLINK_SECRET: randomBytes(48).toString('base64url'),
  PAYLOAD_CODEC_KEY: randomBytes(32).toString('base64'),
};

/**
 * The peers scenarios 2–5 share: a Temporal dev server on a SQLite file tuned for throughput,
 * a migrated database with the service catalogue, the 100 ms LLM server and the SMTP sink.
 */
export interface Stack {
  /** The payload key the stack's processes share. */
  payloadCodecKey: string;
  temporal: DevServer;
  client: Client;
  bench: BenchDatabase;
  llm: Awaited<ReturnType<typeof startBenchLlm>>;
  smtp: SmtpSink;
  /** The environment the API and worker processes run with (production entry points). */
  env(taskQueue: string, port?: number, publicPort?: number): Record<string, string>;
  /** `npm run worker` / `npm run api` as child processes, ready when they return. */
  startWorker(name: string, taskQueue: string, extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  startApi(name: string, taskQueue: string, extraEnv?: Record<string, string>): Promise<{ service: ServiceProcess; baseUrl: string }>;
  /** A worker and an API on one task queue: the system as deployed. */
  startSystem(name: string): Promise<RunningSystem>;
  /** The system left running by the last scenario that started one (reused by scenarios 3, 4). */
  system?: RunningSystem;
  /** stack.system if both its processes still run, else a new one (the reason goes to `log`). */
  ensureSystem(log: (m: string) => void): Promise<RunningSystem>;
  stop(): Promise<void>;
}

const clock = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * CoachNova holds tips during quiet hours (21:00–08:00 in Dhaka by default) and caps them at 3
 * a day: the bench moves the quiet hours to one minute twelve hours away (Asia/Dhaka, UTC+6, no
 * DST) and lifts the cap, so scenario 4 measures reaction time at any hour of the day.
 */
export function coachnovaAlwaysAwake(now = new Date()): Record<string, string> {
  const dhakaMinutes = (now.getUTCHours() * 60 + now.getUTCMinutes() + 360) % 1440;
  const start = (dhakaMinutes + 720) % 1440;
  return { CN_QUIET_HOURS_START: clock(start), CN_QUIET_HOURS_END: clock((start + 1) % 1440), CN_DAILY_MESSAGE_CAP: '1000' };
}

export interface RunningSystem {
  name: string;
  taskQueue: string;
  worker: ServiceProcess;
  api: ServiceProcess;
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startStack(options: { log: (m: string) => void }): Promise<Stack> {
  const dbFile = join(BENCH_VAR, `temporal-${process.pid}.db`);
  const temporal = await startDevServer({
    headless: true,
    dbFile,
    sqlitePragmas: { journal_mode: 'WAL', synchronous: 'OFF' },
    log: (line) => {
      if (/level=(ERROR|FATAL)/.test(line)) options.log(`[temporal] ${line.trim().slice(0, 300)}`);
    },
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: encryptedDataConverter(RUN_SECRETS) });
  const bench = await createBenchDatabase('shoktiai_bench', 10);
  await seedCatalogue((text, values) => bench.pool.query(text, values));
  const llm = await startBenchLlm();
  const smtp = await startSmtpSink();
  const services: ServiceProcess[] = [];

  const env = (taskQueue: string, port = 0, publicPort = port): Record<string, string> => ({
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    PORT: String(port),
    DATABASE_URL: bench.url,
    DATABASE_POOL_MAX: '10',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: smtp.url,
    OPENAI_API_KEY: 'bench-key',
    OPENAI_BASE_URL: llm.baseUrl,
    INTERNAL_API_KEY,
    ...RUN_SECRETS,
    PUBLIC_BASE_URL: `http://127.0.0.1:${publicPort}`,
    DEMO_DATA: 'false',
    ...coachnovaAlwaysAwake(),
  });

  const stack: Stack = {
    payloadCodecKey: RUN_SECRETS.PAYLOAD_CODEC_KEY,
    temporal,
    client,
    bench,
    llm,
    smtp,
    env,
    async startWorker(name, taskQueue, extraEnv = {}) {
      // its own metrics port: another worker on this machine may hold the default 9464
      const metricsPort = String(await freePort());
      const service = spawnService(name, 'src/worker.ts', { ...env(taskQueue), WORKER_METRICS_PORT: metricsPort, NODE_OPTIONS: workerNodeOptions(), ...extraEnv });
      services.push(service);
      // bundling the workflows took over 2 minutes with the machine's load at 30
      await waitForWorker(service, client, taskQueue, 600_000);
      return Object.assign(service, { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
    },
    async startApi(name, taskQueue, extraEnv = {}) {
      const port = await freePort();
      const service = spawnService(name, 'src/api/server.ts', { ...env(taskQueue, port), ...extraEnv });
      services.push(service);
      const baseUrl = `http://127.0.0.1:${port}`;
      await waitForApi(service, baseUrl, 600_000);
      return { service, baseUrl };
    },
    async startSystem(name) {
      const taskQueue = `bench-${name}`;
      const port = await freePort();
      // links in messages point at this API, so the worker is told its address too
      const worker = await stack.startWorker(`${name}-worker`, taskQueue, { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
      const api = spawnService(`${name}-api`, 'src/api/server.ts', env(taskQueue, port));
      services.push(api);
      const baseUrl = `http://127.0.0.1:${port}`;
      await waitForApi(api, baseUrl, 600_000);
      const system: RunningSystem = {
        name,
        taskQueue,
        worker,
        api,
        baseUrl,
        async stop() {
          await Promise.all([worker.stop(), api.stop()]);
          if (stack.system === system) stack.system = undefined;
        },
      };
      return system;
    },
    async ensureSystem(log) {
      const current = stack.system;
      if (current && !current.worker.exited() && !current.api.exited()) return current;
      if (current) {
        log(`  the ${current.name} system had stopped (see ${current.api.logFile}): starting a new one`);
        await current.stop();
      }
      stack.system = await stack.startSystem(`main-${Date.now()}`);
      return stack.system;
    },
    async stop() {
      await Promise.all(services.map((s) => s.stop()));
      await llm.close();
      await smtp.close();
      await connection.close();
      await temporal.stop();
      await bench.drop();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
    },
  };
  return stack;
}
