import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/types';

/**
 * Takes one review slot of a canary version, atomically (one conditional UPDATE, so two
 * workflows never take the last slot twice). The slot that uses the canary up makes the version
 * active. False when the version is not a canary or its slots are used up.
 */
export async function takeCanarySlot(trx: Transaction<Database>, templateId: string): Promise<boolean> {
  const row = await trx
    .updateTable('prompt_templates')
    .set({ canary_used: sql<number>`canary_used + 1` })
    .where('id', '=', templateId)
    .where('status', '=', 'canary')
    .where('canary_used', '<', sql<number>`canary_messages`)
    .returning(['canary_used', 'canary_messages'])
    .executeTakeFirst();
  if (!row) return false;
  if (row.canary_used >= row.canary_messages) {
    await trx.updateTable('prompt_templates').set({ status: 'active' }).where('id', '=', templateId).execute();
    await trx
      .insertInto('prompt_version_events')
      .values({ prompt_id: templateId, action: 'canary_completed', actor: 'smartengage', details: JSON.stringify({ canary_messages: row.canary_messages }) })
      .execute();
  }
  return true;
}
