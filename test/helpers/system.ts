import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createApp } from '../../src/api/app';
import { createHttpServer } from '../../src/api/http-server';
import { httpTimeouts } from '../../src/api/server';
import { loadConfig, type Config } from '../../src/config';
import { createMailer, type Mailer } from '../../src/email/mailer';
import { createSentMailbox } from '../../src/email/sent-mailbox';
import { createOpenAiClient } from '../../src/llm/openai-client';
import { createLogger } from '../../src/lib/logger';
import { encryptedDataConverter } from '../../src/temporal/codec/data-converter';
import { createWorker } from '../../src/temporal/worker-factory';
import { activeTracing } from '../../src/runtime/tracing';
import { tracingClientInterceptors } from '../../src/temporal/tracing';
import { createTestDatabase, type TestDatabase } from './database';
import { startImapServer, type TestImapServer } from './imap';
import { startSmtpServer, type TestSmtpServer } from './smtp';
import { quietTemporalRuntime } from './temporal-runtime';
import { workflowCoverageSinks } from './workflow-coverage';

export { quietTemporalRuntime };

export interface TestSystem {
  baseUrl: string;
  config: Config;
  database: TestDatabase;
  db: TestDatabase['db'];
  smtp: TestSmtpServer;
  /** With `sentMailbox: true`: the IMAP server whose Sent mailbox gets a copy of every mail the SMTP server accepts. */
  imap?: TestImapServer;
  mailer: Mailer;
  client: Client;
  taskQueue: string;
  worker?: Worker;
  stop(): Promise<void>;
}

export interface TestSystemOptions {
  /** Environment overrides, e.g. OPENAI_BASE_URL of a local OpenAI-compatible server. */
  env?: Record<string, string>;
  /** Start a Temporal worker for this file's own task queue (default true). */
  worker?: boolean;
  /** A Gmail-like Sent mailbox over IMAP, filled by the SMTP server and named by SENT_MAILBOX_URL (default false). */
  sentMailbox?: boolean;
}

/**
 * The whole system for one test file, on real peers: a fresh Postgres schema, the shared dev
 * server (own task queue), a real SMTP server, and the API listening on an ephemeral port.
 */
export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  quietTemporalRuntime();
  const database = await createTestDatabase();
  const imap = options.sentMailbox ? await startImapServer() : undefined;
  const smtp = await startSmtpServer({ sentMailbox: imap });
  const taskQueue = `test-${randomUUID()}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: smtp.url,
    ...(imap ? { SENT_MAILBOX_URL: imap.url } : {}),
    INTERNAL_API_KEY: 'test-internal-api-key-0123456789',
    PORT: '0',
    // tests play several clients through X-Forwarded-For from loopback
    TRUST_PROXY: 'loopback',
    ...options.env,
  });
  const logger = createLogger(config.LOG_LEVEL);
  const mailer = createMailer({ smtpUrl: smtp.url, from: config.EMAIL_FROM, outboxDir: config.OUTBOX_DIR, timeoutMs: 5000 });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  // a test that started tracing (test/system/tracing.test.ts) gets StartWorkflow spans, as the API would
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: encryptedDataConverter(config), interceptors: tracingClientInterceptors(activeTracing()) });

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  if (options.worker !== false) {
    nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
    worker = await createWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      activities: createActivities({ config, db: database.db, mailer, logger, openai: createOpenAiClient(config), sentMailbox: config.SENT_MAILBOX_URL ? createSentMailbox(config.SENT_MAILBOX_URL) : null }),
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
      dataConverter: encryptedDataConverter(config),
      sinks: workflowCoverageSinks(),
    });
    workerRun = worker.run();
  }

  const app = createApp({ config, db: database.db, temporal: client, mailer, logger });
  const server: Server = createHttpServer(app, httpTimeouts(config));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    database,
    db: database.db,
    smtp,
    imap,
    mailer,
    client,
    taskQueue,
    worker,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections?.();
      await app.drainBackground();
      if (worker) {
        worker.shutdown();
        await workerRun;
      }
      await nativeConnection?.close();
      await connection.close();
      mailer.close();
      await smtp.close();
      await imap?.close();
      await database.drop();
    },
  };
}
