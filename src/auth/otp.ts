import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const OTP_LENGTH = 6;

/** Emails are matched case-insensitively everywhere (users.email has a lower() unique index). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A uniformly random 6-digit code, leading zeros kept. */
export function generateOtp(): string {
  return randomInt(0, 10 ** OTP_LENGTH).toString().padStart(OTP_LENGTH, '0');
}

/**
 * Keyed hash of a code, bound to its email so a stored hash is useless for any other address.
 * Keyed with a server secret because a 6-digit code alone is trivially brute-forced from a
 * leaked table.
 */
export function hashOtp(secret: string, email: string, code: string): string {
  return createHmac('sha256', secret).update(`${normalizeEmail(email)}:${code}`).digest('hex');
}

/** Compares in constant time so response timing says nothing about how close a guess was. */
export function otpMatches(secret: string, email: string, code: string, storedHash: string): boolean {
  const given = Buffer.from(hashOtp(secret, email, code), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
