import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * Rate-limit counters shared by every API process (express-rate-limit's store, and the per-requester
 * OTP guess counters): a fixed window per key. An UNLOGGED table would be faster but PGlite does
 * not have them, and losing counters on a crash would reopen a window an attacker was just using.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    CREATE TABLE rate_limits (
      key text PRIMARY KEY,
      hits integer NOT NULL,
      reset_at timestamptz NOT NULL
    );
    CREATE INDEX rate_limits_reset_at_idx ON rate_limits (reset_at);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP TABLE IF EXISTS rate_limits;
  `);
}
