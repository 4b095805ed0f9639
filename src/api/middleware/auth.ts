import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { verifyAccessToken, type TokenClaims } from '../../auth/jwt';
import type { Config } from '../../config';
import { forbidden, unauthorized } from '../../lib/errors';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified bearer token's claims, or the internal API key as an operator. */
      auth?: TokenClaims | { sub: 'internal-api-key'; role: 'operator'; email: '' };
    }
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads `x-api-key` or a bearer token when present; never rejects by itself. */
export function authenticate(config: Config) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const apiKey = req.header('x-api-key');
    if (apiKey && config.INTERNAL_API_KEY && sameSecret(apiKey, config.INTERNAL_API_KEY)) {
      req.auth = { sub: 'internal-api-key', role: 'operator', email: '' };
      return next();
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(req.header('authorization') ?? '')?.[1];
    if (bearer) {
      const claims = await verifyAccessToken(bearer, config);
      if (claims) req.auth = claims;
    }
    next();
  };
}

/** Any verified caller. */
export function requireUser(req: Request, _res: Response, next: NextFunction): void {
  if (!req.auth) return next(unauthorized());
  next();
}

/** `/internal/*`: an operator token or the internal API key. */
export function requireOperator(req: Request, _res: Response, next: NextFunction): void {
  if (!req.auth) return next(unauthorized('operator token or x-api-key required'));
  if (req.auth.role !== 'operator') return next(forbidden('operators only'));
  next();
}

/** Who is acting, for audit trails: the operator's email (or id) from the token, or `internal-api-key`. */
export function actorOf(req: Request): string {
  const auth = req.auth;
  if (!auth) return 'unknown';
  return auth.email || auth.sub;
}
