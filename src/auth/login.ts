import { sql } from 'kysely';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { Locale, UserRole } from '../db/types';
import { otpMail } from '../email/otp-mail';
import type { Mailer } from '../email/mailer';
import type { Logger } from '../lib/logger';
import { keysFor } from '../security/keys';
import { signAccessToken } from './jwt';
import { generateOtp, hashOtp, normalizeEmail, otpMatches } from './otp';
import type { RateLimitCounters } from '../security/rate-limit-counters';
import { consumeCode, hasExpiredCode, issueCode, liveCodes } from './otp-store';

export interface LoginUser {
  id: string;
  email: string;
  full_name: string;
  role: UserRole;
  locale: Locale;
}

export interface LoginDeps {
  config: Config;
  db: Db;
  mailer: Mailer;
  logger: Logger;
  /** Guess counters shared by every API process. */
  counters: RateLimitCounters;
}

async function findActiveUser(db: Db, email: string): Promise<LoginUser | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'full_name', 'role', 'locale'])
    .where(sql`lower(email)`, '=', normalizeEmail(email))
    .where('is_active', '=', true)
    .executeTakeFirst();
}

/**
 * Issues a login code. Every address gets a stored code, known or not, so that neither this
 * answer nor the verification that follows tells whether an account exists; only a known, active
 * user is mailed the code. An address holding OTP_REQUESTS_PER_WINDOW live codes gets no more
 * (answered the same): that bounds mail to an inbox, and its owner already holds those codes.
 *
 * The mail is handed off without awaiting it: an SMTP round trip only for known addresses would
 * make the response time give the answer away. A failed send is logged; the user asks again.
 */
export async function requestLoginCode({ config, db, mailer, logger }: LoginDeps, rawEmail: string, correlationId: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  const now = new Date();
  const code = generateOtp();
  const user = await findActiveUser(db, email);
  const issued = await issueCode(
    db,
    { email, codeHash: hashOtp(keysFor(config, 'otp').signing.key, email, code), expiresAt: new Date(now.getTime() + config.OTP_TTL_SECONDS * 1000) },
    config.OTP_REQUESTS_PER_WINDOW,
    now,
  );
  if (!issued) {
    logger.warn({ correlation_id: correlationId }, 'login code not issued: the address already holds the most live codes');
    return;
  }
  if (!user) {
    logger.info({ correlation_id: correlationId }, 'login code requested for an unknown or inactive address');
    return;
  }
  const mail = otpMail({ to: user.email, code, fullName: user.full_name, locale: user.locale, ttlSeconds: config.OTP_TTL_SECONDS });
  mailer.send(mail).then(
    () => logger.info({ correlation_id: correlationId, user_id: user.id }, 'login code sent'),
    (err: unknown) => logger.error({ correlation_id: correlationId, user_id: user.id, err }, 'login code email failed'),
  );
}

export type VerifyOutcome =
  | { ok: true; accessToken: string; expiresIn: number; user: LoginUser }
  | { ok: false; reason: 'invalid' | 'expired' | 'attempts_exhausted'; attemptsLeft?: number };

/**
 * Checks a code against the address's live codes. Guesses are counted per requester (client IP)
 * and address, so a third party's wrong guesses use up the third party's tries, never the
 * owner's, and no live code is burned by them; a ceiling per address over all requesters bounds a
 * distributed brute force. Each guess is counted before it is compared (atomically, in
 * PostgreSQL), so parallel guesses cannot exceed the limits. A match consumes the code with a
 * conditional update: a code logs in once however many requests race with it.
 */
export async function verifyLoginCode({ config, db, counters }: LoginDeps, rawEmail: string, code: string, requester: string): Promise<VerifyOutcome> {
  const email = normalizeEmail(rawEmail);
  const now = new Date();
  const max = config.OTP_MAX_ATTEMPTS;
  const windowMs = config.OTP_TTL_SECONDS * 1000;
  const mine = await counters.hit(`otp-guess:${email}:${requester}`, windowMs);
  // a requester already stopped adds nothing to the address's ceiling: one client alone cannot reach it
  if (mine.hits > max) return { ok: false, reason: 'attempts_exhausted' };
  const everyone = await counters.hit(`otp-guess:${email}`, windowMs);
  if (everyone.hits > config.OTP_MAX_GUESSES_PER_EMAIL) return { ok: false, reason: 'attempts_exhausted' };

  const keys = keysFor(config, 'otp');
  // every live code is compared, whichever matches, so timing does not tell how many there are
  const live = await liveCodes(db, email, now);
  const matches = live.filter((candidate) => otpMatches(keys, email, code, candidate.codeHash));
  if (matches.length === 0) {
    if (live.length === 0 && (await hasExpiredCode(db, email, now))) return { ok: false, reason: 'expired' };
    const attemptsLeft = max - mine.hits;
    return attemptsLeft > 0 ? { ok: false, reason: 'invalid', attemptsLeft } : { ok: false, reason: 'attempts_exhausted' };
  }
  if (!(await consumeCode(db, email, matches[0].id, now))) return { ok: false, reason: 'invalid' };
  const user = await findActiveUser(db, email);
  if (!user) return { ok: false, reason: 'invalid' };
  const accessToken = await signAccessToken({ sub: user.id, role: user.role, email: user.email }, config, config.JWT_TTL_SECONDS);
  return { ok: true, accessToken, expiresIn: config.JWT_TTL_SECONDS, user };
}
