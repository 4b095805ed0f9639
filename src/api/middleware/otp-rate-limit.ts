import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../../config';
import { sendError } from './errors';
import type { Logger } from '../../lib/logger';
import { PostgresRateLimitStore, type RateLimitCounters } from '../../security/rate-limit-counters';

interface LimitOptions {
  /** Names the policy in the RateLimit headers and the log line. */
  name: string;
  limit: number;
  windowSeconds: number;
  logger: Logger;
  counters: RateLimitCounters;
}

/**
 * A fixed-window limiter per client IP (IPv6 grouped by subnet, as the library does) answering in
 * our JSON error format, with Retry-After and the IETF RateLimit headers. Counters live in
 * PostgreSQL, so several API processes share them. The client IP is the peer's address unless
 * TRUST_PROXY names the proxies whose X-Forwarded-For is believed.
 */
function limiter({ name, limit, windowSeconds, logger, counters }: LimitOptions): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    identifier: name,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new PostgresRateLimitStore(counters, `${name}:`),
    // ignoring X-Forwarded-For from unconfigured peers is the policy above, not a misconfiguration:
    // without this the library prints a console error for every such client
    validate: { xForwardedForHeader: false },
    handler: (req: Request, res: Response) => {
      logger.warn({ correlation_id: req.correlationId, policy: name }, 'rate limit reached');
      const retryAfter = Number(res.getHeader('retry-after') ?? windowSeconds);
      sendError(req, res, 429, 'too_many_requests', 'too many requests; try again later', { policy: name, retry_after_seconds: retryAfter });
    },
  });
}

/** Code requests from one client IP. */
export function otpRequestIpLimit(config: Config, logger: Logger, counters: RateLimitCounters): RequestHandler {
  return limiter({ name: 'otp-request-ip', limit: config.OTP_IP_REQUESTS_PER_WINDOW, windowSeconds: config.OTP_REQUEST_WINDOW_SECONDS, logger, counters });
}

/** Verification attempts from one client IP, across all emails: bounds guessing sprayed over many addresses. */
export function otpVerifyIpLimit(config: Config, logger: Logger, counters: RateLimitCounters): RequestHandler {
  return limiter({ name: 'otp-verify-ip', limit: config.OTP_VERIFY_IP_REQUESTS_PER_WINDOW, windowSeconds: config.OTP_REQUEST_WINDOW_SECONDS, logger, counters });
}
