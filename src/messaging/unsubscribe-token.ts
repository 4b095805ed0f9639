import { keysFor, type SigningSecrets } from '../security/keys';
import { signToken, verifyToken } from '../security/tokens';

/**
 * The token in a one-click unsubscribe link (purpose `unsubscribe`): the user id, signed, so the
 * link needs no login and cannot be forged for someone else. It lives long — an unsubscribe link
 * in an old email must keep working (RFC 8058 expects that) — but not for ever
 * (UNSUBSCRIBE_TOKEN_TTL_DAYS), so a leaked link or a retired key stops mattering one day.
 */
export interface UnsubscribeSettings extends SigningSecrets {
  UNSUBSCRIBE_TOKEN_TTL_DAYS: number;
}

export async function createUnsubscribeToken(settings: UnsubscribeSettings, userId: string, now = new Date()): Promise<string> {
  const expiresAt = new Date(now.getTime() + settings.UNSUBSCRIBE_TOKEN_TTL_DAYS * 86_400_000);
  return signToken(keysFor(settings, 'unsubscribe'), 'unsubscribe', {}, { subject: userId, expiresAt });
}

/** The user id the token was issued for, or null when it is malformed, forged or expired. */
export async function verifyUnsubscribeToken(settings: SigningSecrets, token: string): Promise<string | null> {
  const verdict = await verifyToken(keysFor(settings, 'unsubscribe'), 'unsubscribe', token);
  return verdict.ok && /^[0-9a-f-]{36}$/i.test(verdict.payload.sub) ? verdict.payload.sub : null;
}
