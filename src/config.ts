import { z } from 'zod';
import { DEFAULT_TIME_ZONE } from './core/local-time';
import { developmentSecrets, GENERATED_SECRETS, type GeneratedSecretName } from './security/dev-secrets';
import { productionProblems } from './security/production-config';
import { DEFAULT_WORKER_MAX_OLD_SPACE_MB } from './runtime/worker-heap';

/** "HH:MM" in 24-hour time, as used by send windows and quiet hours. */
export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

/** Comma-separated secrets (earlier keys still accepted during a rotation). */
const secretList = (min: number) =>
  z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(min, `each secret needs at least ${min} characters`)));

/** A 32-byte AES key, base64. */
const aesKey = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'expected 32 bytes, base64-encoded');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every setting the system reads from the environment. Unset values take embedded defaults so
 * that `npm start` works on a bare machine; a bad value stops start-up naming the variable.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.string().url().optional(),
  /** Where PGlite keeps its files when DATABASE_URL is unset. */
  PGLITE_DIR: z.string().default('var/pglite'),
  DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),

  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('shoktiai'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_CLI_PATH: z.string().optional(),
  /** At start-up, add the search attributes the workflows set when the namespace lacks them (else refuse to start). */
  TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: bool.default(true),
  /** Where `npm start` keeps the dev server's SQLite state. */
  TEMPORAL_DB_FILE: z.string().default('var/temporal.db'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(0).max(65535).default(8233),
  /** The Temporal Web UI the operator console links runs to (default http://localhost:TEMPORAL_UI_PORT). */
  TEMPORAL_UI_URL: z.string().url().optional(),

  SMTP_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().default('ShoktiAI <no-reply@shoktiai.local>'),
  OUTBOX_DIR: z.string().default('var/outbox'),
  /**
   * The sender's Sent mailbox over IMAP, e.g. imaps://user:app-password@imap.gmail.com:993/%5BGmail%5D%2FSent%20Mail
   * (no path: the mailbox marked \\Sent). An attempt that takes over a send left in doubt looks
   * there for the Message-ID before mailing again (src/email/sent-mailbox.ts); unset, it resends.
   */
  SENT_MAILBOX_URL: z
    .string()
    .url()
    .refine((v) => /^imaps?:$/.test(new URL(v).protocol), 'expected an imap:// or imaps:// URL')
    .refine((v) => new URL(v).username !== '' && new URL(v).password !== '', 'expected the user and (app) password in the URL')
    .optional(),

  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** The model of the safety judge (a second opinion after the rules); OPENAI_MODEL when unset, "off" to disable. */
  SAFETY_JUDGE_MODEL: z.string().optional(),

  INTERNAL_API_KEY: z.string().min(16).optional(),
  // Secrets have no defaults: development and tests get generated ones from SECRETS_FILE,
  // production refuses to start without them (see loadConfig).
  JWT_SECRET: z.string().min(32).optional(),
  /** Earlier JWT secrets, still accepted (never signed with) while tokens signed by them live. */
  JWT_PREVIOUS_SECRETS: secretList(32).default([]),
  JWT_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  DEEPLINK_SECRET: z.string().min(32).optional(),
  DEEPLINK_PREVIOUS_SECRETS: secretList(32).default([]),
  /** Unsubscribe links in mails work this long: long enough for an old mail, but not for ever. */
  UNSUBSCRIBE_TOKEN_TTL_DAYS: z.coerce.number().int().positive().max(3650).default(400),
  /** Inbound replies (DESIGN.md "Replies understood"): the SMTP listener's port (unset: no listener; `npm start` uses 2525). */
  INBOUND_SMTP_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  /** The domain of every message's `Reply-To: reply+<token>@<domain>`; mail for any other domain is refused. */
  INBOUND_DOMAIN: z.string().regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/i, 'expected a domain name').default('reply.shoktiai.local'),
  /** Largest inbound reply accepted (bytes); a bigger one is refused with 552 while it streams in. */
  INBOUND_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  /** How long a reply address works after the message was sent. */
  REPLY_TOKEN_TTL_DAYS: z.coerce.number().int().positive().max(3650).default(30),
  /** AES-256-GCM key encrypting every Temporal payload; earlier keys still decrypt. */
  PAYLOAD_CODEC_KEY: aesKey.optional(),
  PAYLOAD_CODEC_PREVIOUS_KEYS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(aesKey))
    .default([]),
  /** Origins of Temporal UIs allowed to call the codec endpoint from the browser (CORS), comma-separated. */
  TEMPORAL_UI_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.url()))
    .default([]),
  /**
   * Development only: the local Temporal UI (an allowed origin, over loopback) may use the codec
   * endpoint without signing in, since the dev server's UI has no login. Refused in production.
   */
  CODEC_TRUST_LOCAL_UI: bool.default(false),
  /** Where development and tests keep their generated secrets (never read in production). */
  SECRETS_FILE: z.string().default('var/secrets.json'),
  APP_BASE_URL: z.string().url().default('https://app.sheba.xyz'),
  PUBLIC_BASE_URL: z.string().url().optional(),

  OTP_TTL_SECONDS: z.coerce.number().int().positive().default(600),
  /** Wrong guesses one requester (client IP) may make at one address's codes within OTP_TTL_SECONDS. */
  OTP_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  /**
   * Guesses at one address from everyone together within OTP_TTL_SECONDS: the ceiling on a
   * distributed brute force (100 guesses against 5 live codes: 1 in 2,000 per window).
   */
  OTP_MAX_GUESSES_PER_EMAIL: z.coerce.number().int().positive().default(100),
  /** Live codes an address may have at once; a request beyond it is answered alike but not mailed. */
  OTP_REQUESTS_PER_WINDOW: z.coerce.number().int().positive().default(5),
  OTP_REQUEST_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),

  // SmartEngage defaults (each overridable per run-segment request)
  SE_BOOKING_CADENCE_DAYS: z.coerce.number().int().positive().default(21),
  SE_LOOKBACK_DAYS: z.coerce.number().int().positive().default(180),
  SE_SEND_WINDOW_START: clockTime.default('18:00'),
  SE_SEND_WINDOW_END: clockTime.default('20:00'),
  SE_FREQUENCY_CAP_HOURS: z.coerce.number().int().positive().default(24),
  SE_DEEPLINK_TTL_HOURS: z.coerce.number().positive().default(48),
  SE_ATTRIBUTION_WINDOW_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
  SE_CAMPAIGN_CONCURRENCY: z.coerce.number().int().positive().default(200),
  SE_CAMPAIGN_PAGE_SIZE: z.coerce.number().int().positive().default(500),
  SE_SCHEDULE_CRON: z.string().default('0 12 * * *'),
  // SmartEngage engine settings: activity retries short in tests, schedule identity
  SE_ACTIVITY_RETRY_INITIAL_MS: z.coerce.number().int().positive().default(2000),
  SE_ACTIVITY_MAX_ATTEMPTS: z.coerce.number().int().positive().default(8),
  SE_MAX_CHILDREN_PER_RUN: z.coerce.number().int().positive().default(1000),
  SE_SCHEDULE_ID: z.string().default('smartengage-daily-cadence'),
  SE_SCHEDULE_TIMEZONE: z.string().default(DEFAULT_TIME_ZONE),
  SE_PROMO_CODE: z.string().max(40).optional(),
  // The learning loop (issue 10): canary of a newly activated prompt version, the approval gate
  /** Messages of a newly activated prompt version that wait for an operator's decision (0 = none). */
  SE_CANARY_MESSAGES: z.coerce.number().int().min(0).default(20),
  /** A reminder waiting for a decision longer than this gets the approved template instead. */
  SE_APPROVAL_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  /** A draft whose moderation score reaches this (while not flagged by the provider) waits for review. */
  SE_REVIEW_MODERATION_SCORE: z.coerce.number().min(0).max(1).default(0.4),
  /** A draft whose script share is less than this above the language minimum waits for review. */
  SE_REVIEW_SCRIPT_MARGIN: z.coerce.number().min(0).max(1).default(0.05),

  // CoachNova defaults
  CN_QUIET_HOURS_START: clockTime.default('21:00'),
  CN_QUIET_HOURS_END: clockTime.default('08:00'),
  CN_DAILY_MESSAGE_CAP: z.coerce.number().int().positive().default(3),
  CN_ACK_REMINDER_SECONDS: z.coerce.number().int().positive().default(4 * 3600),
  CN_ACK_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  CN_ESCALATION_COOLDOWN_SECONDS: z.coerce.number().int().positive().default(3 * 24 * 3600),
  CN_ASSESSMENT_INTERVAL_SECONDS: z.coerce.number().int().positive().default(24 * 3600),

  // CoachNova session tuning: what triggers a tip, the rolling window, score thresholds
  /** A job rated at or below this gets a coaching tip. */
  CN_COACHING_RATING_MAX: z.coerce.number().int().min(1).max(5).default(3),
  /** Arriving more than this many minutes late gets a coaching tip. */
  CN_LATE_MINUTES_THRESHOLD: z.coerce.number().int().nonnegative().default(15),
  /** Days of jobs, cancellations and check-ins a session keeps (covers the 7-day signals and the rating trend). */
  CN_WINDOW_DAYS: z.coerce.number().int().min(7).default(14),
  CN_WINDOW_MAX_JOBS: z.coerce.number().int().positive().default(200),
  /** Local window in which a job counts as late-night work. */
  CN_LATE_NIGHT_START: clockTime.default('22:00'),
  CN_LATE_NIGHT_END: clockTime.default('06:00'),
  /** Ratings per side of the rating-trend comparison (latest N against the N before). */
  CN_RATING_TREND_SAMPLE: z.coerce.number().int().min(2).default(5),
  CN_RISK_MODERATE_AT: z.coerce.number().min(0).max(100).default(25),
  CN_RISK_HIGH_AT: z.coerce.number().min(0).max(100).default(50),
  /** Continue-as-new after this many events even if the server has not suggested it yet. */
  CN_MAX_EVENTS_PER_RUN: z.coerce.number().int().positive().default(500),

  /** Slow clients: request headers must arrive within this, the whole request within the next; idle keep-alive. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /**
   * Express `trust proxy`: which peers' X-Forwarded-For is believed for the client IP that rate
   * limits key on. Unset: none (the peer's own address). E.g. `loopback`, `10.0.0.0/8`, `1`.
   */
  TRUST_PROXY: z.string().optional(),

  DEMO_DATA: bool.default(true),
  /** GET /health reuses one round of checks for this long (0 = every probe checks). */
  HEALTH_CACHE_SECONDS: z.coerce.number().min(0).default(5),
  /** OTLP/HTTP collector base URL (…/v1/traces is appended); unset = no tracing at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** service.name of the exported spans; each entry point has its own default (shoktiai-api, shoktiai-worker). */
  OTEL_SERVICE_NAME: z.string().optional(),
  /**
   * Most click signals per second an API process sends from the outbox while it is quiet, and
   * while it is busy serving requests: each is a workflow task on the Temporal server and the
   * worker, which share the machine with the API (src/temporal/clients/signal-outbox.ts).
   */
  OUTBOX_SIGNALS_PER_SECOND: z.coerce.number().positive().default(20),
  OUTBOX_BUSY_SIGNALS_PER_SECOND: z.coerce.number().positive().default(2),
  /** GET /services answers from memory for this long (0 = every request reads the database). */
  SERVICES_CACHE_SECONDS: z.coerce.number().min(0).default(10),
  /** `npm run worker` serves its own Prometheus metrics here (0 = off); `npm start` shares the API's /metrics. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * Workflows kept in the worker's sticky cache. Each cached run holds its state in memory; an
   * evicted one is replayed from history when it next wakes (a click, the attribution timer).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
  /**
   * The worker process's V8 old-space cap in MB (0 = V8's own limit). Node takes it only at start,
   * so the launchers read it (src/runtime/worker-heap.ts); it is here so a bad value is named.
   */
  WORKER_MAX_OLD_SPACE_MB: z.coerce.number().int().min(0).default(DEFAULT_WORKER_MAX_OLD_SPACE_MB),
  /** On SIGTERM the worker stops polling and gives activities in flight this long to finish (then they are cancelled and retried elsewhere). */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(20),
  /** On SIGTERM the API stops accepting and gives requests in flight this long to finish. */
  API_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(15),

  // Platform auth: per-client-IP limits on the OTP endpoints, on top of the
  // per-email OTP_REQUESTS_PER_WINDOW; one office or NAT shares an IP, hence the headroom.
  OTP_IP_REQUESTS_PER_WINDOW: z.coerce.number().int().positive().default(30),
  OTP_VERIFY_IP_REQUESTS_PER_WINDOW: z.coerce.number().int().positive().default(60),
});

type ParsedConfig = z.infer<typeof configSchema>;

/** The configuration after secrets are resolved: every secret is present. */
export type Config = Omit<ParsedConfig, GeneratedSecretName> & Record<GeneratedSecretName, string>;

export class ConfigError extends Error {}

/**
 * Parses the environment once; throws a ConfigError naming every bad variable. In production
 * every secret, INTERNAL_API_KEY and PUBLIC_BASE_URL must be configured; elsewhere a secret left
 * unset comes from the installation's generated secrets file.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.NODE_ENV === 'production') {
    const problems = productionProblems(config);
    if (config.CODEC_TRUST_LOCAL_UI) problems.push('  CODEC_TRUST_LOCAL_UI: development only; operators sign in to decode payloads in production');
    if (problems.length) throw new ConfigError(`Refusing to start in production:\n${problems.join('\n')}`);
    return config as Config;
  }
  const names = Object.keys(GENERATED_SECRETS) as GeneratedSecretName[];
  if (names.every((name) => config[name])) return config as Config;
  const generated = developmentSecrets(config.SECRETS_FILE);
  return { ...config, ...Object.fromEntries(names.map((name) => [name, config[name] ?? generated[name]])) } as Config;
}

/** This API's own public address, used for tracked links and unsubscribe URLs. */
export function publicBaseUrl(config: Config): string {
  return config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
}
