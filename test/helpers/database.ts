import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Client } from 'pg';
import { createDatabase, type Db } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';

export interface TestDatabase {
  db: Db;
  schema: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated schema in the local PostgreSQL for one test file: nothing another test
 * writes can be seen here, in any order. Dropped in afterAll.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = await createDatabase({ url, schema, poolMax: 10 });
  await migrateToLatest(db);
  return {
    db,
    schema,
    url,
    async drop() {
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(db);
      await db.destroy();
    },
  };
}
