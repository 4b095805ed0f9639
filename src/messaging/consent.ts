import { sql } from 'kysely';
import type { Db } from '../db/database';

/**
 * Turns marketing consent off, keeping every other consent key. Idempotent; `found` is false
 * when no such user exists (an unsubscribe for a deleted account is simply nothing to do).
 */
export async function revokeMarketingConsent(db: Db, userId: string): Promise<{ found: boolean }> {
  const result = await db
    .updateTable('users')
    .set({ consent: sql`consent || '{"marketing": false}'::jsonb`, updated_at: new Date() })
    .where('id', '=', userId)
    .executeTakeFirst();
  return { found: Number(result.numUpdatedRows) > 0 };
}
