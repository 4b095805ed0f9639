import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * Statistics for the marketing-consent expression the segment query filters on.
 *
 * PostgreSQL keeps no statistics for `(consent ->> 'marketing') = 'true'` by itself and assumes
 * 0.5 % of users match. With 1,000,000 customers (70 % consenting) it expected ~4,800
 * consenting users instead of ~680,000, so it drove every segment page from
 * users_marketing_consent_idx in id order without the keyset cursor: page k re-read every
 * consenting user before the cursor. A page in the middle of the segment took 1.9 s instead of
 * 20 ms, and walking the whole segment took 394 s (bench scenario 1). With these statistics the
 * estimate is right, pages start at the cursor on customers_pkey and stay at ~20 ms.
 *
 * Extended statistics rather than an expression index: the planner needs the estimate, not
 * another index to keep up to date on every user write.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    CREATE STATISTICS users_marketing_consent_stats ON ((consent ->> 'marketing')) FROM users;
    ANALYZE users;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP STATISTICS IF EXISTS users_marketing_consent_stats;
  `);
}
