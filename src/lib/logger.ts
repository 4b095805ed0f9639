import pino, { type Logger } from 'pino';

export type { Logger };

/** One JSON logger for the process; children carry correlation ids and component names. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'shoktiai' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.email', '*.phone', '*.otp', 'email', 'phone', 'otp', 'req.headers.authorization', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  });
}
