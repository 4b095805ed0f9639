import { sql } from 'kysely';
import type { Db } from '../db/database';
import { OPEN_BOOKING_STATUSES } from '../db/types';
import type { ClaimResult, SkipReason } from './types';

/**
 * Takes the customer's SmartEngage contact slot for the frequency-cap period, in ONE statement:
 * the consent, activity, recent-message and open-booking conditions are evaluated inside the
 * INSERT, and the slot (primary key user_id + agent) is only taken over when the previous claim
 * has expired. Two campaigns racing for one customer serialise on that key: exactly one wins.
 * The claimer may claim again (a retried activity), which keeps the claim it already has.
 */
export async function claimContact(db: Db, customerId: string, claimedBy: string, capHours: number): Promise<ClaimResult> {
  const claimed = await sql<{ user_id: string }>`
    WITH candidate AS (
      SELECT u.id FROM users u
      WHERE u.id = ${customerId}
        AND u.role = 'customer' AND u.is_active AND (u.consent ->> 'marketing') = 'true'
        AND NOT EXISTS (
          SELECT 1 FROM ai_messages m
          WHERE m.user_id = u.id
            AND m.created_at > now() - make_interval(hours => ${capHours})
            AND m.workflow_id IS DISTINCT FROM ${claimedBy})
        AND NOT EXISTS (
          SELECT 1 FROM bookings b
          WHERE b.customer_id = u.id AND b.status IN ('PENDING', 'CONFIRMED', 'IN_PROGRESS'))
    )
    INSERT INTO contact_claims (user_id, agent_type, claimed_at, expires_at, claimed_by)
    SELECT id, 'smartengage', now(), now() + make_interval(hours => ${capHours}), ${claimedBy} FROM candidate
    ON CONFLICT (user_id, agent_type) DO UPDATE
      SET claimed_at = excluded.claimed_at, expires_at = excluded.expires_at, claimed_by = excluded.claimed_by
      WHERE contact_claims.expires_at <= now() OR contact_claims.claimed_by = excluded.claimed_by
    RETURNING user_id`.execute(db);
  if (claimed.rows.length > 0) return { claimed: true };
  return { claimed: false, reason: await whyNotClaimed(db, customerId) };
}

/** After a refused claim: the first rule that failed, for the skipped-by-reason counts. */
async function whyNotClaimed(db: Db, customerId: string): Promise<SkipReason> {
  const user = await db.selectFrom('users').select(['is_active', 'role', 'consent']).where('id', '=', customerId).executeTakeFirst();
  if (!user || user.role !== 'customer') return 'not_found';
  if (!user.is_active) return 'inactive';
  if (user.consent?.marketing !== true) return 'no_consent';
  const open = await db
    .selectFrom('bookings')
    .select('id')
    .where('customer_id', '=', customerId)
    .where('status', 'in', OPEN_BOOKING_STATUSES)
    .limit(1)
    .executeTakeFirst();
  return open ? 'open_booking' : 'frequency_cap';
}

/**
 * Keeps the contact slot of a reminder that has claimed it but not yet been recorded in
 * `ai_messages` (it waits for an operator's decision, then for the send window): without this,
 * a wait longer than the frequency cap lets the claim lapse while no message row exists yet, and
 * another day's run could claim the customer and send a second reminder inside the cap. The slot
 * is held for `seconds` from now — the wait still ahead plus the cap, so once the reminder is
 * sent the claim lapses when the cap from the send does — and only by the run that holds it
 * (a slot another run has taken since is left alone).
 */
export async function holdContact(db: Db, customerId: string, claimedBy: string, seconds: number): Promise<boolean> {
  const held = await db
    .updateTable('contact_claims')
    .set({ expires_at: sql<Date>`now() + make_interval(secs => ${Math.max(0, Math.ceil(seconds))})` })
    .where('user_id', '=', customerId)
    .where('agent_type', '=', 'smartengage')
    .where('claimed_by', '=', claimedBy)
    .executeTakeFirst();
  return Number(held.numUpdatedRows) > 0;
}
