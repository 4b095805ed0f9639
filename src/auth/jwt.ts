import type { UserRole } from '../db/types';
import { keysFor, type SigningSecrets } from '../security/keys';
import { signToken, verifyToken } from '../security/tokens';

export interface TokenClaims {
  sub: string;
  role: UserRole;
  email: string;
}

const ROLES: readonly string[] = ['customer', 'worker', 'operator'];

/** Signs an access token (purpose `login`) for a verified user. */
export async function signAccessToken(claims: TokenClaims, secrets: SigningSecrets, ttlSeconds: number): Promise<string> {
  return signToken(keysFor(secrets, 'login'), 'login', { role: claims.role, email: claims.email }, {
    subject: claims.sub,
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
  });
}

/** Verifies an access token; null when it is forged, expired, malformed or for another purpose. */
export async function verifyAccessToken(token: string, secrets: SigningSecrets): Promise<TokenClaims | null> {
  const verdict = await verifyToken(keysFor(secrets, 'login'), 'login', token);
  if (!verdict.ok || typeof verdict.payload.role !== 'string' || !ROLES.includes(verdict.payload.role)) return null;
  return { sub: verdict.payload.sub, role: verdict.payload.role as UserRole, email: String(verdict.payload.email ?? '') };
}
