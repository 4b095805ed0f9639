import { keyringFor, type Keyring } from './keyring';
import type { TokenPurpose } from './tokens';

/** The secrets keyrings are derived from: each a current secret and the ones it replaced. */
export interface SigningSecrets {
  JWT_SECRET: string;
  JWT_PREVIOUS_SECRETS?: readonly string[];
  DEEPLINK_SECRET: string;
  DEEPLINK_PREVIOUS_SECRETS?: readonly string[];
}

export type KeyPurpose = TokenPurpose | 'otp';

/**
 * Which secret family a purpose draws on: sign-in (access tokens, OTP hashes) from JWT_SECRET;
 * everything put into links and mails (deep links, unsubscribe and reply tokens) from
 * DEEPLINK_SECRET, so the two can be rotated (or leak) independently.
 */
const FAMILY: Record<KeyPurpose, 'JWT' | 'DEEPLINK'> = {
  login: 'JWT',
  otp: 'JWT',
  deep_link: 'DEEPLINK',
  unsubscribe: 'DEEPLINK',
  reply: 'DEEPLINK',
};

const cache = new WeakMap<SigningSecrets, Map<KeyPurpose, Keyring>>();

export function keysFor(secrets: SigningSecrets, purpose: KeyPurpose): Keyring {
  let rings = cache.get(secrets);
  if (!rings) cache.set(secrets, (rings = new Map()));
  let ring = rings.get(purpose);
  if (!ring) {
    const list =
      FAMILY[purpose] === 'JWT'
        ? [secrets.JWT_SECRET, ...(secrets.JWT_PREVIOUS_SECRETS ?? [])]
        : [secrets.DEEPLINK_SECRET, ...(secrets.DEEPLINK_PREVIOUS_SECRETS ?? [])];
    ring = keyringFor(purpose, list);
    rings.set(purpose, ring);
  }
  return ring;
}
