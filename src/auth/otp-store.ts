import { sql } from 'kysely';
import type { Db } from '../db/database';
import { normalizeEmail } from './otp';

/** How long spent codes are kept for audit before a new request for the same email sweeps them. */
const RETENTION_MS = 24 * 3600 * 1000;

export interface IssuedCode {
  email: string;
  codeHash: string;
  expiresAt: Date;
}

/**
 * Stores a new code for an email unless it already has `maxLive` live codes. Earlier codes stay
 * valid: a code requested by someone else must not cancel the one the address's owner is typing
 * (that was a lock-out). False when the cap is reached: the owner then already holds live codes.
 */
export async function issueCode(db: Db, code: IssuedCode, maxLive: number, now: Date): Promise<boolean> {
  const email = normalizeEmail(code.email);
  return db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('otp_codes')
      .where(sql`lower(email)`, '=', email)
      .where('created_at', '<', new Date(now.getTime() - RETENTION_MS))
      .execute();
    const live = await trx
      .selectFrom('otp_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where(sql`lower(email)`, '=', email)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    if (Number(live.n) >= maxLive) return false;
    await trx.insertInto('otp_codes').values({ email, code_hash: code.codeHash, expires_at: code.expiresAt }).execute();
    return true;
  });
}

export interface LiveCode {
  id: string;
  codeHash: string;
}

/** The codes a verification may match: unconsumed and unexpired. */
export async function liveCodes(db: Db, email: string, now: Date): Promise<LiveCode[]> {
  const rows = await db
    .selectFrom('otp_codes')
    .select(['id', 'code_hash'])
    .where(sql`lower(email)`, '=', normalizeEmail(email))
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
  return rows.map((r) => ({ id: r.id, codeHash: r.code_hash }));
}

/** Whether the email has an unused code that expired (to say "expired" rather than "wrong"). */
export async function hasExpiredCode(db: Db, email: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('otp_codes')
    .select('id')
    .where(sql`lower(email)`, '=', normalizeEmail(email))
    .where('consumed_at', 'is', null)
    .where('expires_at', '<=', now)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Marks a code used, and with it every other live code of the address (a login spends them all).
 * Conditional on the code still being unconsumed, so of two concurrent correct verifications
 * exactly one wins.
 */
export async function consumeCode(db: Db, email: string, id: string, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('otp_codes')
      .set((eb) => ({ consumed_at: now, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await trx
      .updateTable('otp_codes')
      .set({ expires_at: now })
      .where(sql`lower(email)`, '=', normalizeEmail(email))
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    return true;
  });
}
