import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../security/keyring';

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
export function hashOtp(key: Buffer, email: string, code: string): string {
  return createHmac('sha256', key).update(`${normalizeEmail(email)}:${code}`).digest('hex');
}

/**
 * Compares in constant time so response timing says nothing about how close a guess was. Every key
 * of the ring is tried, so a code issued just before a key rotation still works.
 */
export function otpMatches(keys: Keyring, email: string, code: string, storedHash: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  let matched = false;
  for (const { key } of keys.all) {
    const given = Buffer.from(hashOtp(key, email, code), 'hex');
    matched = (given.length === stored.length && timingSafeEqual(given, stored)) || matched;
  }
  return matched;
}
