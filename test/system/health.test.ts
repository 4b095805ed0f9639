import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { createDatabase, type Db } from '../../src/db/database';
import { createMailer } from '../../src/email/mailer';
import { createLogger } from '../../src/lib/logger';
import { temporal } from '@temporalio/proto';
import { checkNamespace, checkPollers, checkSearchAttributes, POLLER_FRESH_MS } from '../../src/temporal/clients/health';
import { freePort } from '../../src/temporal/dev-server';
import { startRefusingTemporal } from '../helpers/refusing-temporal';
import { namespaceWith } from '../helpers/temporal-test-server';
import { startTestSystem, type TestSystem } from '../helpers/system';

/** /health tells which dependency is down, with a 503, instead of failing or hanging. */
describe('/health with the database unreachable', () => {
  let server: Server;
  let baseUrl: string;
  let db: Db;
  let connection: Connection;

  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: `health-${randomUUID()}` });
    // nothing listens on this port: every query fails at connect
    db = await createDatabase({ url: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    const temporal = new Client({ connection, namespace: 'default' });
    const mailer = createMailer({ from: config.EMAIL_FROM, outboxDir: 'var/test/outbox' });
    const app = createApp({ config, db, temporal, mailer, logger: createLogger('silent') });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await connection.close();
    await db.destroy();
  });

  it('answers 503 naming the database (and the queue nobody polls), Temporal still up', async () => {
    const res = await fetch(`${baseUrl}/health`, { headers: { 'x-correlation-id': 'health-db-down' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('x-correlation-id')).toBe('health-db-down');
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ status: 'degraded', database: 'down', temporal: 'up' });
    expect(body.checks.database.status).toBe('down');
    expect(body.checks.temporal_namespace).toEqual({ status: 'up', namespace: 'default' });
    expect(body.checks.search_attributes).toEqual({ status: 'up', missing: [] });
    expect(body.checks.workers).toMatchObject({ status: 'down', workflow_pollers: 0, activity_pollers: 0, detail: 'no worker polls this task queue' });
  });
  it('still answers /health/live 200 (load balancers keep the API: links and unsubscribe pages work)', async () => {
    const res = await fetch(`${baseUrl}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('/health of a whole system', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ env: { HEALTH_CACHE_SECONDS: '60' } });
  });
  afterAll(async () => {
    await system.stop();
  });

  it('answers 200 with every check up once a worker polls the task queue', async () => {
    // the worker's first polls reach the server shortly after it starts; /health is asked after
    // that (its first answer is then cached for the next test)
    for (let i = 0; i < 80 && (await checkPollers(system.client, system.taskQueue)).status !== 'up'; i++) await new Promise((r) => setTimeout(r, 250));
    const res = await fetch(`${system.baseUrl}/health`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks.database).toMatchObject({ status: 'up', latency_ms: expect.any(Number) });
    expect(body.checks.workers).toMatchObject({ status: 'up', task_queue: system.taskQueue });
    expect(body.checks.workers.workflow_pollers).toBeGreaterThanOrEqual(1);
    expect(body.checks.workers.activity_pollers).toBeGreaterThanOrEqual(1);
    // nothing personal, nothing secret: only statuses, counts and names of our own resources
    expect(JSON.stringify(body)).not.toMatch(/@|postgres:|password/i);
  });

  it('reuses one round of checks within HEALTH_CACHE_SECONDS', async () => {
    const first = (await (await fetch(`${system.baseUrl}/health`)).json()) as { checked_at: string };
    const second = (await (await fetch(`${system.baseUrl}/health`)).json()) as { checked_at: string };
    expect(second.checked_at).toBe(first.checked_at);
  });

  it('does not count pollers the server remembers from a worker gone quiet', async () => {
    const later = Date.now() + POLLER_FRESH_MS + 60_000;
    expect(await checkPollers(system.client, system.taskQueue, later)).toMatchObject({ status: 'down', workflow_pollers: 0, activity_pollers: 0 });
  });
});

describe('the Temporal checks of /health against a namespace or server that is not right', () => {
  let connection: Connection;
  let unreachable: Client;
  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    unreachable = new Client({ connection: await Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 }), namespace: 'default' });
  });
  afterAll(async () => {
    await unreachable.connection.close();
    await connection.close();
  });

  it('says the namespace is not found, and gives only the gRPC status when the server does not answer', async () => {
    const namespace = `missing-${randomUUID()}`;
    expect(await checkNamespace(new Client({ connection, namespace }))).toEqual({ status: 'down', namespace, detail: 'namespace not found' });
    expect(await checkNamespace(unreachable)).toEqual({ status: 'down', namespace: 'default', detail: expect.stringMatching(/^gRPC status (4|14)$/) });
  });

  it('names the search attributes that are missing or not Keyword', async () => {
    const { INDEXED_VALUE_TYPE_KEYWORD: KEYWORD, INDEXED_VALUE_TYPE_TEXT: TEXT } = temporal.api.enums.v1.IndexedValueType;
    const namespace = await namespaceWith(connection, 'health', { AgentType: KEYWORD, CustomerId: KEYWORD, WorkerId: KEYWORD, CampaignId: KEYWORD, CorrelationId: TEXT });
    expect(await checkSearchAttributes(new Client({ connection, namespace }))).toEqual({ status: 'down', missing: ['CorrelationId', 'RiskLevel'], detail: 'missing or not Keyword' });
    expect(await checkSearchAttributes(unreachable)).toEqual({ status: 'down', detail: expect.stringMatching(/^gRPC status (4|14)$/) });
  });

  it.each(['permission-denied', 'unimplemented'] as const)('calls the search attributes unchecked, not down, on a server that will not list them (%s)', async (refusal) => {
    const cloud = await startRefusingTemporal(refusal);
    const refusing = new Client({ connection: await Connection.connect({ address: cloud.address }), namespace: 'shoktiai' });
    try {
      expect(await checkNamespace(refusing)).toEqual({ status: 'up', namespace: 'shoktiai' });
      expect(await checkSearchAttributes(refusing)).toEqual({ status: 'unchecked', detail: 'the server does not list search attributes to this caller' });
    } finally {
      await refusing.connection.close();
      await cloud.close();
    }
  });

  it('reports the workers down with the reason when the server does not answer', async () => {
    expect(await checkPollers(unreachable, 'any-queue')).toEqual({ status: 'down', task_queue: 'any-queue', detail: expect.stringMatching(/^gRPC status (4|14)$/) });
  });
});
