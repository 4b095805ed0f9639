import { mkdirSync } from 'node:fs';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
import type { Database } from './types';

// bigint counts (count(*)) as numbers: our counts never approach 2^53.
types.setTypeParser(types.builtins.INT8, (v) => Number(v));

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent the embedded PGlite under `pgliteDir` is used. */
  url?: string;
  pgliteDir?: string;
  /** Schema to put first on the search path (tests use one fresh schema each). */
  schema?: string;
  poolMax?: number;
  /** `application_name` of the pool's sessions ('shoktiai'). */
  applicationName?: string;
  /** How long a query may wait for a pooled connection (10 s). */
  connectionTimeoutMs?: number;
  /** Told when the server ends an idle connection (the pool replaces it); console by default. */
  onConnectionLost?: (error: Error) => void;
}

/** Opens the database: PostgreSQL through `pg` when a URL is given, else embedded PGlite. */
export async function createDatabase(options: DatabaseOptions): Promise<Db> {
  if (options.url) {
    const pool = new Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      // Waiting for a connection (pool full, server restarting, a connect that never completes)
      // fails after this instead of forever: a stuck wait would outlive the activity attempt
      // that started it, and the abandoned waiters would queue ahead of every retry.
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      // a connection whose peer vanished without a FIN is noticed instead of kept as idle
      keepAlive: true,
      idleTimeoutMillis: 30_000,
      // names our sessions in pg_stat_activity (operators, and the chaos suite's connection kills)
      application_name: options.applicationName ?? 'shoktiai',
      options: options.schema ? `-c search_path=${options.schema},public` : undefined,
    });
    // An idle connection ended by the server (restart, failover, admin) must not crash the
    // process: the pool drops it and the next query opens a new one.
    const lost = options.onConnectionLost ?? ((error: Error) => console.warn(`database: idle connection lost (${error.message})`));
    pool.on('error', lost);
    // The pool listens for errors only on idle connections. One checked out between two queries
    // (inside a transaction, or between the pool handing it over and the query starting) that
    // the server ends (PostgreSQL restart, pg_terminate_backend) emits 'error' with nobody
    // listening, which crashed the worker in the chaos suite. Its next query fails instead and
    // the pool discards it on release (it is no longer queryable).
    pool.on('connect', (client) => client.on('error', lost));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = options.pgliteDir;
  if (dir && !dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const pglite = new PGlite(dir);
  await pglite.waitReady;
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
}

/** Reports whether the database answers a trivial query. */
export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
    return true;
  } catch {
    return false;
  }
}
