import { existsSync } from 'node:fs';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import { Client, Pool } from 'pg';
import type { Database } from '../../src/db/types';
import type { Db } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';

/** The server the bench creates its own databases on (never the app's or the tests'). */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  db: Db;
  pool: Pool;
  /** Every query the Kysely instance ran (SQL and parameters), for EXPLAIN. */
  captured: CompiledQuery[];
  drop(): Promise<void>;
}

/**
 * Deterministic ids for generated rows: md5 of a seed, shaped as a version-4 UUID (the API's
 * z.uuid() checks the version and variant bits, so a bare md5 would be refused).
 */
const BENCH_UUID = `
CREATE OR REPLACE FUNCTION bench_uuid(seed text) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT overlay(overlay(md5(seed) placing '4' from 13) placing '8' from 17)::uuid $$`;

function urlFor(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

/**
 * Drops databases that earlier bench runs left behind when they crashed: named
 * `<prefix>_<pid>` for a process that no longer runs. Never one of a run still going (CI or a
 * colleague may be running the bench on the same server at the same time).
 */
async function dropLeftovers(c: Client, prefix: string): Promise<void> {
  const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${prefix}\\_%`]);
  for (const { datname } of rows) {
    const pid = Number(datname.slice(prefix.length + 1));
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}

/**
 * A dedicated, freshly migrated database `<prefix>_<pid>`, so concurrent bench runs on one
 * server never touch each other's data. A whole database rather than a schema, so the API and
 * worker child processes reach it with a plain DATABASE_URL.
 */
export async function createBenchDatabase(prefix: string, poolMax = 10): Promise<BenchDatabase> {
  const name = `${prefix}_${process.pid}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  await admin(async (c) => {
    await dropLeftovers(c, prefix);
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = urlFor(name);
  const pool = new Pool({ connectionString: url, max: poolMax });
  const captured: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  await migrateToLatest(db);
  await pool.query(BENCH_UUID);
  captured.length = 0;
  return {
    name,
    url,
    db,
    pool,
    captured,
    async drop() {
      await db.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
