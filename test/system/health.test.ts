import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { createDatabase, type Db } from '../../src/db/database';
import { createMailer } from '../../src/email/mailer';
import { createLogger } from '../../src/lib/logger';
import { freePort } from '../../src/temporal/dev-server';

/** /health tells which dependency is down, with a 503, instead of failing or hanging. */
let server: Server;
let baseUrl: string;
let db: Db;
let connection: Connection;

beforeAll(async () => {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
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

it('answers 503 naming the database when it is unreachable, Temporal still up', async () => {
  const res = await fetch(`${baseUrl}/health`, { headers: { 'x-correlation-id': 'health-db-down' } });
  expect(res.status).toBe(503);
  expect(res.headers.get('x-correlation-id')).toBe('health-db-down');
  expect(await res.json()).toEqual({ status: 'degraded', database: 'down', temporal: 'up' });
});
