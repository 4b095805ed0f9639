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
import { claimAttempt, consumeCode, replaceLiveCode, whyUnclaimable } from './otp-store';

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
 * answer nor the verification that follows (attempt counting, expiry) tells whether an account
 * exists; only a known, active user is mailed the code.
 *
 * The mail is handed off without awaiting it: an SMTP round trip only for known addresses would
 * make the response time give the answer away. A failed send is logged; the user asks again.
 */
export async function requestLoginCode({ config, db, mailer, logger }: LoginDeps, rawEmail: string, correlationId: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  const now = new Date();
  const code = generateOtp();
  const user = await findActiveUser(db, email);
  await replaceLiveCode(
    db,
    { email, codeHash: hashOtp(keysFor(config, 'otp').signing.key, email, code), expiresAt: new Date(now.getTime() + config.OTP_TTL_SECONDS * 1000) },
    now,
  );
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
 * Checks a code against the email's current one. Each check spends an attempt first (atomically),
 * then compares in constant time; a match consumes the code with a conditional update, so a code
 * logs in once however many requests race with it.
 */
export async function verifyLoginCode({ config, db }: LoginDeps, rawEmail: string, code: string): Promise<VerifyOutcome> {
  const email = normalizeEmail(rawEmail);
  const now = new Date();
  const max = config.OTP_MAX_ATTEMPTS;
  const claimed = await claimAttempt(db, email, max, now);
  if (!claimed) {
    const reason = await whyUnclaimable(db, email, max, now);
    return { ok: false, reason: reason === 'no_code' ? 'invalid' : reason };
  }
  if (!otpMatches(keysFor(config, 'otp'), email, code, claimed.codeHash)) {
    const attemptsLeft = max - claimed.attempts;
    return attemptsLeft > 0 ? { ok: false, reason: 'invalid', attemptsLeft } : { ok: false, reason: 'attempts_exhausted' };
  }
  if (!(await consumeCode(db, claimed.id, now))) return { ok: false, reason: 'invalid' };
  const user = await findActiveUser(db, email);
  if (!user) return { ok: false, reason: 'invalid' };
  const accessToken = await signAccessToken({ sub: user.id, role: user.role, email: user.email }, config, config.JWT_TTL_SECONDS);
  return { ok: true, accessToken, expiresIn: config.JWT_TTL_SECONDS, user };
}
