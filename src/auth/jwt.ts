import { jwtVerify, SignJWT } from 'jose';
import type { UserRole } from '../db/types';

export interface TokenClaims {
  sub: string;
  role: UserRole;
  email: string;
}

const ISSUER = 'shoktiai';
const key = (secret: string) => new TextEncoder().encode(secret);

/** Signs an access token (HS256) for a verified user. */
export async function signAccessToken(claims: TokenClaims, secret: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({ role: claims.role, email: claims.email })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key(secret));
}

/** Verifies an access token; returns null when it is forged, expired or malformed. */
export async function verifyAccessToken(token: string, secret: string): Promise<TokenClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.role !== 'string') return null;
    return { sub: payload.sub, role: payload.role as UserRole, email: String(payload.email ?? '') };
  } catch {
    return null;
  }
}
