/**
 * Runs the migrations and the demo data on PGlite and prints what happened as one JSON line.
 * Started as a child process by `pglite.test.ts`: PGlite loads Node built-ins with dynamic
 * `import()`, which Jest's module sandbox refuses without --experimental-vm-modules, so this
 * runs under plain Node (tsx) exactly as `npm start` does.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Db } from '../../../src/db/database';
import { seedDemoDataIfEmpty } from '../../../src/db/demo-data';
import { migrateToEmpty, migrateToLatest } from '../../../src/db/migrate';
import { createClickBatcher } from '../../../src/smartengage/click-batcher';

async function tables(db: Db): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(db);
  return result.rows.map((r) => r.table_name);
}

async function count(db: Db, table: 'services' | 'users' | 'customers' | 'workers' | 'bookings'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * A burst of deep-link clicks through the API's batcher on PGlite: one link clicked twice in the
 * same batch, and a token no link has. PGlite runs one statement at a time; the batch statement
 * (and its `synchronous_commit` setting) must run there as on PostgreSQL.
 */
async function clickBatch(db: Db) {
  const { rows } = await sql<{ id: string; user_id: string }>`
    INSERT INTO ai_messages (user_id, role, agent_type, channel, message_type, message_text, workflow_id)
    SELECT id, 'CUSTOMER', 'smartengage', 'EMAIL', 'REMINDER', 'pglite click check', 'pglite-check' FROM customers ORDER BY id LIMIT 1
    RETURNING id, user_id`.execute(db);
  const message = rows[0];
  const tokenId = randomUUID();
  await db.insertInto('deep_links').values({ token_id: tokenId, customer_id: message.user_id, message_id: message.id, expires_at: new Date(Date.now() + 3_600_000) }).execute();
  const batcher = createClickBatcher(db);
  const results = await Promise.all([tokenId, randomUUID(), tokenId].map((id) => batcher.add({ tokenId: id })));
  const link = await db.selectFrom('deep_links').select('click_count').where('token_id', '=', tokenId).executeTakeFirstOrThrow();
  const stored = await db.selectFrom('ai_messages').select('user_response').where('id', '=', message.id).executeTakeFirstOrThrow();
  const outbox = await db.selectFrom('signal_outbox').select('id').where('message_id', '=', message.id).execute();
  return {
    results: results.map((r) => r && { firstClick: r.firstClick, signalOwed: r.signalOwed }),
    clickCount: link.click_count,
    response: stored.user_response,
    outboxRows: outbox.length,
  };
}

async function main(): Promise<void> {
  const db = await createDatabase({ pgliteDir: process.argv[2] ?? 'memory://' });
  try {
    const applied = await migrateToLatest(db);
    const tablesAfterUp = await tables(db);
    const rolledBack = await migrateToEmpty(db);
    const tablesAfterDown = await tables(db);
    const reapplied = await migrateToLatest(db);

    const started = Date.now();
    const first = await seedDemoDataIfEmpty(db);
    const seedMs = Date.now() - started;
    const second = await seedDemoDataIfEmpty(db);
    const rows = {
      services: await count(db, 'services'),
      users: await count(db, 'users'),
      customers: await count(db, 'customers'),
      workers: await count(db, 'workers'),
      bookings: await count(db, 'bookings'),
    };
    const clicks = await clickBatch(db);
    process.stdout.write(`${JSON.stringify({ applied, tablesAfterUp, rolledBack, tablesAfterDown, reapplied, first, second, seedMs, rows, clicks })}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
