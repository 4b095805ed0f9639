import { sql } from 'kysely';
import type { Logger } from '../lib/logger';
import type { Db } from './database';
import type { ServiceCategory } from './types';
import { buildDemoData, type DemoData, type DemoDataOptions } from './demo/build';

export type DemoCounts = { [K in keyof DemoData]: number };

export interface SeedResult {
  seeded: boolean;
  counts: DemoCounts;
}

/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters for the widest table. */
const BATCH_ROWS = 500;

async function insertInBatches<T extends keyof DemoData>(db: Db, table: T, rows: DemoData[T]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH_ROWS) {
    // Each table's rows are built as that table's Insertable; Kysely cannot relate T to both.
    await db.insertInto(table).values(rows.slice(i, i + BATCH_ROWS) as never).execute();
  }
}

/**
 * PGlite cannot serialise a JS array bound to an enum-array parameter; a text array literal cast
 * by the server works on both drivers. (Categories are enum labels: no quoting needed.)
 */
const categoryArray = (skills: readonly ServiceCategory[]) => sql<ServiceCategory[]>`${`{${skills.join(',')}}`}::service_category[]`;

const countsOf = (data: DemoData): DemoCounts => ({
  services: data.services.length,
  users: data.users.length,
  customers: data.customers.length,
  workers: data.workers.length,
  bookings: data.bookings.length,
});

/**
 * Loads the demo data set (see `demo/build.ts`) when the catalogue is empty, so that `npm start`
 * on a fresh database has customers for SmartEngage and workers for CoachNova, and a restart
 * changes nothing. One transaction: either all of it is there or none. Plain SQL only, so it runs
 * on PGlite as on PostgreSQL.
 */
export async function seedDemoDataIfEmpty(db: Db, logger?: Logger, options: DemoDataOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const result = await db.transaction().execute(async (trx) => {
    // two processes starting at once: the second waits here, then sees the catalogue filled
    await sql`LOCK TABLE services IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const existing = await trx.selectFrom('services').select('id').limit(1).executeTakeFirst();
    if (existing) return null;
    const data = buildDemoData(options);
    await insertInBatches(trx, 'services', data.services);
    await insertInBatches(trx, 'users', data.users);
    await insertInBatches(trx, 'customers', data.customers);
    await insertInBatches(
      trx,
      'workers',
      data.workers.map((w) => ({ ...w, skills: categoryArray(w.skills ?? []) as never })),
    );
    await insertInBatches(trx, 'bookings', data.bookings);
    return countsOf(data);
  });
  if (!result) {
    logger?.info('demo data skipped: the service catalogue is not empty');
    return { seeded: false, counts: { services: 0, users: 0, customers: 0, workers: 0, bookings: 0 } };
  }
  logger?.info({ counts: result, ms: Date.now() - started }, 'demo data loaded');
  return { seeded: true, counts: result };
}
