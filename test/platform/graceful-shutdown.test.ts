import { request } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { startApi, type RunningApi } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/lib/logger';
import { createMailer } from '../../src/email/mailer';
import type { Dependencies } from '../../src/runtime/dependencies';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * SIGTERM on the API (a rolling restart): it stops accepting, and a request it had accepted is
 * answered, not reset.
 */
let database: TestDatabase;
let deps: Dependencies;
let connection: Connection;
let api: RunningApi;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    API_SHUTDOWN_GRACE_SECONDS: '10',
  });
  const mailer = createMailer({ from: config.EMAIL_FROM, outboxDir: 'var/test/outbox' });
  deps = { config, db: database.db, mailer, openai: null, logger: createLogger('silent'), close: async () => mailer.close() };
  connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  api = await startApi(config, deps, new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }));
});
afterAll(async () => {
  await connection.close();
  await deps.close();
  await database.drop();
});

it('answers a request that was in flight when it was told to stop, then refuses new connections', async () => {
  const { port } = api.server.address() as { port: number };
  const body = JSON.stringify({ email: 'graceful@example.com' });
  // the request is accepted and half its body sent before the stop begins
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/auth/request-otp', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.write(body.slice(0, 5));
    setTimeout(() => req.end(body.slice(5)), 1000);
  });
  await new Promise((r) => setTimeout(r, 300));
  const stopped = api.stop();

  const { status, text } = await answer;
  expect(`${status} ${text}`).toMatch(/^202 /);
  expect(JSON.parse(text)).toBeDefined();
  await stopped;
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
});
