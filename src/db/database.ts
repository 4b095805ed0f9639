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
  /** Told when the server ends an idle connection (the pool replaces it); console by default. */
  onConnectionLost?: (error: Error) => void;
}

/** Opens the database: PostgreSQL through `pg` when a URL is given, else embedded PGlite. */
export async function createDatabase(options: DatabaseOptions): Promise<Db> {
  if (options.url) {
    const pool = new Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      options: options.schema ? `-c search_path=${options.schema},public` : undefined,
    });
    // An idle connection ended by the server (restart, failover, admin) must not crash the
    // process: the pool drops it and the next query opens a new one.
    const lost = options.onConnectionLost ?? ((error: Error) => console.warn(`database: idle connection lost (${error.message})`));
    pool.on('error', lost);
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
