import type OpenAI from 'openai';
import type { Config } from '../config';
import { createDatabase, type Db } from '../db/database';
import { createMailer, type Mailer } from '../email/mailer';
import { createSentMailbox, type SentMailbox } from '../email/sent-mailbox';
import { createLogger, type Logger } from '../lib/logger';
import { createOpenAiClient } from '../llm/openai-client';

/** The long-lived clients a process holds: one database pool, one mailer, one LLM client. */
export interface Dependencies {
  config: Config;
  db: Db;
  mailer: Mailer;
  /** SENT_MAILBOX_URL's mailbox (no connection held: one per check); null when unset. */
  sentMailbox?: SentMailbox | null;
  openai: OpenAI | null;
  logger: Logger;
  close(): Promise<void>;
}

/** Opens what the configuration names: Postgres or embedded PGlite, SMTP or the outbox folder. */
export async function openDependencies(config: Config, logger: Logger = createLogger(config.LOG_LEVEL)): Promise<Dependencies> {
  const db = await createDatabase({
    url: config.DATABASE_URL,
    pgliteDir: config.PGLITE_DIR,
    poolMax: config.DATABASE_POOL_MAX,
    onConnectionLost: (error) => logger.warn({ err: error }, 'database connection lost; the pool opens a new one'),
  });
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.EMAIL_FROM, outboxDir: config.OUTBOX_DIR });
  const openai = createOpenAiClient(config);
  return {
    config,
    db,
    mailer,
    sentMailbox: config.SENT_MAILBOX_URL ? createSentMailbox(config.SENT_MAILBOX_URL) : null,
    openai,
    logger,
    async close() {
      mailer.close();
      await db.destroy();
    },
  };
}

/** Where each external dependency points, for the start-up banner (no secrets). */
export function describeDependencies(config: Config): Record<string, string> {
  return {
    database: config.DATABASE_URL ? redactUrl(config.DATABASE_URL) : `PGlite (embedded) in ${config.PGLITE_DIR}`,
    email: config.SMTP_URL ? `SMTP ${redactUrl(config.SMTP_URL)}` : `.eml files in ${config.OUTBOX_DIR}`,
    ...(config.SENT_MAILBOX_URL ? { 'sent mailbox': `${redactUrl(config.SENT_MAILBOX_URL)} (checked before an in-doubt resend)` } : {}),
    llm: config.OPENAI_API_KEY ? `${config.OPENAI_MODEL} at ${config.OPENAI_BASE_URL ?? 'api.openai.com'}` : 'template writer (no OPENAI_API_KEY)',
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
