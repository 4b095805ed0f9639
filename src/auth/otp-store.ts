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
 * Stores a new code for an email as the only live one: older unconsumed codes are expired in the
 * same transaction, so a code mailed earlier stops working the moment a new one is requested.
 */
export async function replaceLiveCode(db: Db, code: IssuedCode, now: Date): Promise<void> {
  const email = normalizeEmail(code.email);
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('otp_codes')
      .where(sql`lower(email)`, '=', email)
      .where('created_at', '<', new Date(now.getTime() - RETENTION_MS))
      .execute();
    await trx
      .updateTable('otp_codes')
      .set({ expires_at: now })
      .where(sql`lower(email)`, '=', email)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    await trx.insertInto('otp_codes').values({ email, code_hash: code.codeHash, expires_at: code.expiresAt }).execute();
  });
}

/** The newest unconsumed code of an email: the only one a verification may be checked against. */
function currentCodeId(db: Db, email: string) {
  return db
    .selectFrom('otp_codes')
    .select('id')
    .where(sql`lower(email)`, '=', normalizeEmail(email))
    .where('consumed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1);
}

export interface ClaimedAttempt {
  id: string;
  codeHash: string;
  /** Attempts used including this one. */
  attempts: number;
}

/**
 * Spends one attempt on the current code, atomically: the attempt counter is raised only while the
 * code is live and under the limit, so concurrent guesses can never exceed `maxAttempts` in all.
 * Null when there is no live code with attempts left.
 */
export async function claimAttempt(db: Db, email: string, maxAttempts: number, now: Date): Promise<ClaimedAttempt | null> {
  const row = await db
    .updateTable('otp_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', currentCodeId(db, email))
    .where('attempts', '<', maxAttempts)
    .where('expires_at', '>', now)
    .returning(['id', 'code_hash', 'attempts'])
    .executeTakeFirst();
  return row ? { id: row.id, codeHash: row.code_hash, attempts: row.attempts } : null;
}

export type UnclaimableReason = 'no_code' | 'expired' | 'attempts_exhausted';

/** Why `claimAttempt` found nothing, for the answer to the caller. */
export async function whyUnclaimable(db: Db, email: string, maxAttempts: number, now: Date): Promise<UnclaimableReason> {
  const row = await db
    .selectFrom('otp_codes')
    .select(['attempts', 'expires_at'])
    .where('id', '=', currentCodeId(db, email))
    .executeTakeFirst();
  if (!row) return 'no_code';
  if (new Date(row.expires_at) <= now) return 'expired';
  if (row.attempts >= maxAttempts) return 'attempts_exhausted';
  // Live and under the limit: it was replaced or used between the two statements.
  return 'no_code';
}

/**
 * Marks a code used. Conditional on it still being unconsumed, so of two concurrent correct
 * verifications exactly one wins.
 */
export async function consumeCode(db: Db, id: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('otp_codes')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
