import { keysFor, type SigningSecrets } from '../security/keys';
import { signToken, verifyToken } from '../security/tokens';

/**
 * The signed, expiring token in a tracked link (`/l/<token>`, purpose `deep_link`) over the link's
 * id, the customer, the service and an optional promo code. The row in `deep_links` holds the same
 * facts plus the click record; the signature lets the click endpoint reject forgeries before any
 * query.
 */
export interface DeepLinkClaims {
  tokenId: string;
  customerId: string;
  serviceId: string;
  promoCode: string | null;
  expiresAt: Date;
}

export type DeepLinkVerdict = { ok: true; claims: DeepLinkClaims } | { ok: false; reason: 'expired' | 'invalid'; tokenId?: string };

export async function signDeepLinkToken(claims: DeepLinkClaims, secrets: SigningSecrets): Promise<string> {
  return signToken(keysFor(secrets, 'deep_link'), 'deep_link', { svc: claims.serviceId, ...(claims.promoCode ? { promo: claims.promoCode } : {}) }, {
    subject: claims.customerId,
    jwtId: claims.tokenId,
    expiresAt: claims.expiresAt,
  });
}

/** Checks signature, purpose and expiry; an expired token still tells which link it was. */
export async function verifyDeepLinkToken(token: string, secrets: SigningSecrets, now = new Date()): Promise<DeepLinkVerdict> {
  const verdict = await verifyToken(keysFor(secrets, 'deep_link'), 'deep_link', token, now);
  if (!verdict.ok) {
    const jti = verdict.payload?.jti;
    return verdict.reason === 'expired' && typeof jti === 'string' ? { ok: false, reason: 'expired', tokenId: jti } : { ok: false, reason: 'invalid' };
  }
  const { payload } = verdict;
  if (typeof payload.jti !== 'string' || typeof payload.svc !== 'string') return { ok: false, reason: 'invalid' };
  return {
    ok: true,
    claims: {
      tokenId: payload.jti,
      customerId: payload.sub,
      serviceId: payload.svc,
      promoCode: typeof payload.promo === 'string' ? payload.promo : null,
      expiresAt: new Date(payload.exp * 1000),
    },
  };
}
