import { webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Keyring } from './keyring';

/**
 * Every token this system signs is a JWT (HS256) that carries its purpose as audience, the key id
 * it was signed with (`kid`), and an expiry. Verification demands all three: a token for another
 * purpose, without `exp`, signed with an unknown key, or with any other algorithm (`none`
 * included) is refused.
 */
export type TokenPurpose = 'login' | 'deep_link' | 'unsubscribe' | 'reply';

const ISSUER = 'shoktiai';

export interface SignOptions {
  subject: string;
  expiresAt: Date;
  jwtId?: string;
}

// jose imports a raw key into WebCrypto on every sign and verify (about 40 % of a verification's
// CPU, measured in-process): the imported key is kept, once per key of the keyring
const cryptoKeys = new WeakMap<Buffer, Promise<webcrypto.CryptoKey>>();
function hmacKey(key: Buffer): Promise<webcrypto.CryptoKey> {
  let imported = cryptoKeys.get(key);
  if (!imported) {
    imported = webcrypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    cryptoKeys.set(key, imported);
  }
  return imported;
}

export async function signToken(keys: Keyring, purpose: TokenPurpose, claims: JWTPayload, options: SignOptions): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: keys.signing.kid })
    .setIssuer(ISSUER)
    .setAudience(purpose)
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(Math.floor(options.expiresAt.getTime() / 1000));
  if (options.jwtId) jwt.setJti(options.jwtId);
  return jwt.sign(await hmacKey(keys.signing.key));
}

export type TokenVerdict =
  | { ok: true; payload: JWTPayload & { sub: string; exp: number } }
  /** `payload` only for an expired token, whose signature was checked before its expiry. */
  | { ok: false; reason: 'expired' | 'invalid'; payload?: JWTPayload };

export async function verifyToken(keys: Keyring, purpose: TokenPurpose, token: string, now = new Date()): Promise<TokenVerdict> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = keys.find(header.kid);
        if (!key) throw new errors.JWSSignatureVerificationFailed('unknown key id');
        return hmacKey(key.key);
      },
      { issuer: ISSUER, audience: purpose, algorithms: ['HS256'], requiredClaims: ['exp', 'sub', 'aud'], currentDate: now },
    );
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return { ok: false, reason: 'invalid' };
    return { ok: true, payload: payload as JWTPayload & { sub: string; exp: number } };
  } catch (error) {
    // jose checks the signature before the claims, so "expired" is only said of a genuine token
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', payload: error.payload };
    return { ok: false, reason: 'invalid' };
  }
}
