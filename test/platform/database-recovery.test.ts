import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config';
import { createDatabase, type Db } from '../../src/db/database';
import { createDeepLink } from '../../src/smartengage/deep-links';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * The deep-link step (a local activity) once kept failing on a real cluster after the database's
 * connections were killed, until the worker restarted: a wait for a connection that never came
 * outlived its attempt and queued ahead of every retry. The pool now bounds that wait and
 * replaces killed connections.
 */
let database: TestDatabase;
let appDb: Db;
const applicationName = `shoktiai-recovery-${randomUUID().slice(0, 8)}`;
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase();
  appDb = await createDatabase({ url: database.url, schema: database.schema, poolMax: 3, applicationName, onConnectionLost: () => undefined });
});
afterAll(async () => {
  await appDb.destroy();
  await database.drop();
});

async function someCustomerAndService(): Promise<{ customerId: string; serviceId: string }> {
  const user = await database.db
    .insertInto('users')
    .values({ email: `${randomUUID()}@example.com`, full_name: 'Recovery Test', role: 'customer' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await database.db.insertInto('customers').values({ id: user.id }).execute();
  const service = await database.db
    .insertInto('services')
    .values({ name: 'AC repair', name_bn: 'এসি মেরামত', category: 'AC_REPAIR', base_price: '500' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { customerId: user.id, serviceId: service.id };
}

it('fails a wait for a connection within the connection timeout when the server never answers', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const stuck = await createDatabase({ url: `postgres://postgres@127.0.0.1:${(silent.address() as AddressInfo).port}/none`, connectionTimeoutMs: 1000, onConnectionLost: () => undefined });
  const started = Date.now();
  await expect(sql`SELECT 1`.execute(stuck)).rejects.toThrow(/timeout/i);
  expect(Date.now() - started).toBeLessThan(5000);
  await stuck.destroy();
  sockets.forEach((socket) => socket.destroy());
  await new Promise((resolve) => silent.close(resolve));
});

it('creates the deep link at once after every pooled connection was terminated by the server', async () => {
  const { customerId, serviceId } = await someCustomerAndService();
  // fill the pool, then have the server end each of its sessions
  await Promise.all([1, 2, 3].map(() => sql`SELECT pg_sleep(0.05)`.execute(appDb)));
  const killed = await sql<{ n: number }>`
    SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = ${applicationName}`.execute(database.db);
  expect(killed.rows[0].n).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 200));

  const started = Date.now();
  const results = await Promise.allSettled(
    [0, 1, 2, 3, 4].map((i) => createDeepLink(appDb, config, { customerId, serviceId, workflowId: `reengage-${customerId}-${i}`, ttlHours: 48, promoCode: null })),
  );
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  expect(Date.now() - started).toBeLessThan(5000);
});

it('survives the server ending a connection that is checked out between two queries', async () => {
  const lost: Error[] = [];
  const db = await createDatabase({ url: database.url, schema: database.schema, poolMax: 1, applicationName: `${applicationName}-held`, onConnectionLost: (e) => lost.push(e) });
  try {
    // Without a listener on the checked-out connection, its 'error' event is an uncaught exception (process exit).
    await expect(
      db.connection().execute(async (held) => {
        await sql`SELECT 1`.execute(held);
        await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${`${applicationName}-held`}`.execute(database.db);
        await new Promise((r) => setTimeout(r, 300));
        await sql`SELECT 1`.execute(held);
      }),
    ).rejects.toThrow();
    expect(lost.map((e) => e.message).join()).toMatch(/terminating connection/);
    // the broken connection was discarded: the next query gets a new one
    const { rows } = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(db);
    expect(rows[0].ok).toBe(1);
  } finally {
    await db.destroy();
  }
});
