import { sql, type Kysely } from 'kysely';
import type { MigrationResultSet } from 'kysely/migration';
import { Migrator } from 'kysely/migration';
import { migrations } from '../../migrations';

/**
 * Kysely looks for its bookkeeping tables in every schema unless told which one: naming the
 * current schema keeps a concurrent test file's fresh schema from being mistaken for this one.
 */
async function migrator(db: Kysely<any>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: rows[0].schema });
}

function check(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed ?? '(unknown)'} failed: ${cause}`);
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return check(await (await migrator(db)).migrateToLatest());
}

/** Rolls back the most recent migration; returns the names rolled back. */
export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return check(await (await migrator(db)).migrateDown());
}

/** Rolls back every migration. */
export async function migrateToEmpty(db: Kysely<any>): Promise<string[]> {
  const { NO_MIGRATIONS } = await import('kysely/migration');
  return check(await (await migrator(db)).migrateTo(NO_MIGRATIONS));
}
