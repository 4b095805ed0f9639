/**
 * Runs the migrations and the demo data on PGlite and prints what happened as one JSON line.
 * Started as a child process by `pglite.test.ts`: PGlite loads Node built-ins with dynamic
 * `import()`, which Jest's module sandbox refuses without --experimental-vm-modules, so this
 * runs under plain Node (tsx) exactly as `npm start` does.
 */
import { sql } from 'kysely';
import { createDatabase, type Db } from '../../../src/db/database';
import { seedDemoDataIfEmpty } from '../../../src/db/demo-data';
import { migrateToEmpty, migrateToLatest } from '../../../src/db/migrate';

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
    process.stdout.write(`${JSON.stringify({ applied, tablesAfterUp, rolledBack, tablesAfterDown, reapplied, first, second, seedMs, rows })}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
