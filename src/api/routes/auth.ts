import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { requestLoginCode, verifyLoginCode, type VerifyOutcome } from '../../auth/login';
import { OTP_LENGTH } from '../../auth/otp';
import { otpRequestIpLimit, otpVerifyIpLimit } from '../middleware/otp-rate-limit';
import { RateLimitCounters } from '../../security/rate-limit-counters';
import { HttpError } from '../../lib/errors';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseBody } from '../validate';

const EmailField = z.string().trim().max(254).pipe(z.email()).openapi({ example: 'rahim@example.com' });

export const OtpRequestBody = z.object({ email: EmailField }).openapi('OtpRequest');
export const OtpVerifyBody = z
  .object({
    email: EmailField,
    otp: z
      .string()
      .regex(new RegExp(`^\\d{${OTP_LENGTH}}$`), `expected ${OTP_LENGTH} digits`)
      .openapi({ example: '042917' }),
  })
  .openapi('OtpVerify');

const OtpRequestedSchema = z.object({ status: z.literal('accepted'), message: z.string() }).openapi('OtpRequested');
const LoginUserSchema = z
  .object({ id: z.uuid(), email: z.string(), full_name: z.string(), role: z.enum(['customer', 'worker', 'operator']), locale: z.enum(['bn', 'en']) })
  .openapi('LoginUser');
export const AccessTokenSchema = z
  .object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int(), user: LoginUserSchema })
  .openapi('AccessToken');

/** The one answer to every well-formed code request, known address or not. */
const OTP_REQUESTED: z.infer<typeof OtpRequestedSchema> = {
  status: 'accepted',
  message: 'If this address belongs to an account, a login code is on its way.',
};

const rateLimited = {
  ...errorResponses(429)[429],
  description: 'too many requests from this client or for this address',
  headers: { 'Retry-After': { description: 'seconds until a request is accepted again', schema: { type: 'integer' as const } } },
};

openApiRegistry.registerPath({
  method: 'post',
  path: '/auth/request-otp',
  summary: 'Email a 6-digit login code',
  description:
    'Answers 202 with the same body whether or not the address has an account. Rate-limited per client IP (429 with Retry-After); an address holding the most live codes gets no new one (same answer).',
  tags: ['auth'],
  request: { body: { content: { 'application/json': { schema: OtpRequestBody } } } },
  responses: {
    202: { description: 'accepted', content: { 'application/json': { schema: OtpRequestedSchema } } },
    ...errorResponses(400, 422),
    429: rateLimited,
  },
});
openApiRegistry.registerPath({
  method: 'post',
  path: '/auth/verify-otp',
  summary: 'Exchange a login code for an access token (JWT)',
  description: 'A code works once. 401 when wrong or expired; 429 once this client has made too many wrong tries at this address (others, including the address owner, are unaffected).',
  tags: ['auth'],
  request: { body: { content: { 'application/json': { schema: OtpVerifyBody } } } },
  responses: {
    200: { description: 'logged in', content: { 'application/json': { schema: AccessTokenSchema } } },
    ...errorResponses(400, 401, 422),
    429: { ...rateLimited, description: 'too many wrong tries for this code, or too many requests from this client' },
  },
});

function failure(outcome: Exclude<VerifyOutcome, { ok: true }>): HttpError {
  if (outcome.reason === 'attempts_exhausted') {
    return new HttpError(429, 'otp_attempts_exceeded', 'too many wrong tries; wait until the code expires and request a new one');
  }
  if (outcome.reason === 'expired') return new HttpError(401, 'otp_expired', 'the code has expired; request a new one');
  return new HttpError(401, 'otp_invalid', 'the code is wrong', outcome.attemptsLeft === undefined ? null : { attempts_left: outcome.attemptsLeft });
}

/** Validates the body into `req.body` for the handler. */
function validated(schema: z.ZodType) {
  return (req: Request, _res: Response, next: NextFunction) => {
    req.body = parseBody(schema, req);
    next();
  };
}

export function authRouter(deps: ApiDeps): Router {
  const { config, logger } = deps;
  const counters = new RateLimitCounters(deps.db);
  const login = { ...deps, counters };
  const router = Router();

  router.post('/auth/request-otp', otpRequestIpLimit(config, logger, counters), validated(OtpRequestBody), async (req, res) => {
    const { email } = req.body as z.infer<typeof OtpRequestBody>;
    await requestLoginCode(login, email, req.correlationId);
    res.status(202).json(OTP_REQUESTED);
  });

  router.post('/auth/verify-otp', otpVerifyIpLimit(config, logger, counters), validated(OtpVerifyBody), async (req, res) => {
    const { email, otp } = req.body as z.infer<typeof OtpVerifyBody>;
    const outcome = await verifyLoginCode(login, email, otp, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!outcome.ok) throw failure(outcome);
    logger.info({ correlation_id: req.correlationId, user_id: outcome.user.id }, 'logged in');
    const body: z.infer<typeof AccessTokenSchema> = {
      access_token: outcome.accessToken,
      token_type: 'bearer',
      expires_in: outcome.expiresIn,
      user: outcome.user,
    };
    res.json(body);
  });

  return router;
}
