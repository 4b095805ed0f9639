import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../../config';
import { sendError } from './errors';
import type { Logger } from '../../lib/logger';
import { normalizeEmail } from '../../auth/otp';

interface LimitOptions {
  /** Names the policy in the RateLimit headers and the log line. */
  name: string;
  limit: number;
  windowSeconds: number;
  logger: Logger;
  /** Defaults to the client IP (IPv6 grouped by subnet, as the library does). */
  key?: (req: Request) => string;
}

/**
 * A fixed-window limiter answering in our JSON error format, with Retry-After and the IETF
 * RateLimit headers. Counters live in this process's memory: enough for one API process; several
 * replicas would share a store (e.g. Redis) instead.
 */
function limiter({ name, limit, windowSeconds, logger, key }: LimitOptions): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    identifier: name,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(key ? { keyGenerator: (req: Request) => key(req) } : {}),
    handler: (req: Request, res: Response) => {
      logger.warn({ correlation_id: req.correlationId, policy: name }, 'rate limit reached');
      const retryAfter = Number(res.getHeader('retry-after') ?? windowSeconds);
      sendError(req, res, 429, 'too_many_requests', 'too many requests; try again later', { policy: name, retry_after_seconds: retryAfter });
    },
  });
}

/** Code requests from one client IP. */
export function otpRequestIpLimit(config: Config, logger: Logger): RequestHandler {
  return limiter({ name: 'otp-request-ip', limit: config.OTP_IP_REQUESTS_PER_WINDOW, windowSeconds: config.OTP_REQUEST_WINDOW_SECONDS, logger });
}

/**
 * Code requests for one email address, whoever asks: stops mail-bombing an inbox. Must run after
 * the body is validated, since it keys on the email.
 */
export function otpRequestEmailLimit(config: Config, logger: Logger): RequestHandler {
  return limiter({
    name: 'otp-request-email',
    limit: config.OTP_REQUESTS_PER_WINDOW,
    windowSeconds: config.OTP_REQUEST_WINDOW_SECONDS,
    logger,
    key: (req) => `email:${normalizeEmail(String(req.body?.email ?? ''))}`,
  });
}

/** Verification attempts from one client IP, across all emails: bounds guessing sprayed over many addresses. */
export function otpVerifyIpLimit(config: Config, logger: Logger): RequestHandler {
  return limiter({ name: 'otp-verify-ip', limit: config.OTP_VERIFY_IP_REQUESTS_PER_WINDOW, windowSeconds: config.OTP_REQUEST_WINDOW_SECONDS, logger });
}
