import { errors, jwtVerify, SignJWT } from 'jose';

/**
 * The signed, expiring token in a tracked link (`/l/<token>`): HS256 over the link's id, the
 * customer, the service and an optional promo code. The row in `deep_links` holds the same facts
 * plus the click record; the signature lets the click endpoint reject forgeries before any query.
 */
export interface DeepLinkClaims {
  tokenId: string;
  customerId: string;
  serviceId: string;
  promoCode: string | null;
  expiresAt: Date;
}

export type DeepLinkVerdict = { ok: true; claims: DeepLinkClaims } | { ok: false; reason: 'expired' | 'invalid'; tokenId?: string };

const ISSUER = 'shoktiai';
const AUDIENCE = 'deeplink';
const key = (secret: string) => new TextEncoder().encode(secret);

export async function signDeepLinkToken(claims: DeepLinkClaims, secret: string): Promise<string> {
  return new SignJWT({ svc: claims.serviceId, ...(claims.promoCode ? { promo: claims.promoCode } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setJti(claims.tokenId)
    .setSubject(claims.customerId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
    .sign(key(secret));
}

/** Checks signature, audience and expiry; an expired token still tells which link it was. */
export async function verifyDeepLinkToken(token: string, secret: string, now = new Date()): Promise<DeepLinkVerdict> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: now,
    });
    if (typeof payload.jti !== 'string' || typeof payload.sub !== 'string' || typeof payload.svc !== 'string' || typeof payload.exp !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
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
  } catch (error) {
    // jose checks the signature before the claims, so "expired" is only said of a genuine token
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', tokenId: typeof error.payload.jti === 'string' ? error.payload.jti : undefined };
    return { ok: false, reason: 'invalid' };
  }
}
