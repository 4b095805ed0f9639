import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in a one-click unsubscribe link: the user id and an HMAC over it, so the link
 * needs no login and cannot be forged for someone else. It does not expire: an unsubscribe
 * link in an old email must keep working (RFC 8058 expects that).
 */
const PURPOSE = 'unsubscribe:v1:';

function signature(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(PURPOSE + userId).digest('base64url');
}

export function createUnsubscribeToken(secret: string, userId: string): string {
  return `${Buffer.from(userId, 'utf8').toString('base64url')}.${signature(secret, userId)}`;
}

/** The user id the token was issued for, or null when it is malformed or forged. */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  const [encodedId, given, ...rest] = token.split('.');
  if (!encodedId || !given || rest.length > 0) return null;
  const userId = Buffer.from(encodedId, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return null;
  const expected = Buffer.from(signature(secret, userId));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? userId : null;
}

/**
 * The signing key for unsubscribe tokens, derived from the deep-link secret with its own
 * purpose label: one secret to manage, yet a deep-link signature can never pass as an
 * unsubscribe token or the other way round.
 */
export function unsubscribeSecret(config: { DEEPLINK_SECRET: string }): string {
  return createHmac('sha256', config.DEEPLINK_SECRET).update('shoktiai/unsubscribe-key/v1').digest('base64url');
}
