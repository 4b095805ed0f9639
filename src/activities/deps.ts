import type OpenAI from 'openai';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { Mailer } from '../email/mailer';
import type { SentMailbox } from '../email/sent-mailbox';
import type { Logger } from '../lib/logger';

/**
 * What activities are built from. Passed in (not imported) so tests run the same activities
 * against real local peers: a fresh Postgres schema, an SMTP server, an OpenAI-compatible server.
 */
export interface ActivityDeps {
  config: Config;
  db: Db;
  mailer: Mailer;
  logger: Logger;
  /** The official client pointed at OPENAI_BASE_URL; null when no key is set (template writer). */
  openai: OpenAI | null;
  /** SENT_MAILBOX_URL's mailbox, asked before an in-doubt resend; absent or null: resend (at least once). */
  sentMailbox?: SentMailbox | null;
}
