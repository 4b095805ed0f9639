import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { Mailer } from '../email/mailer';
import type { Logger } from '../lib/logger';

/** Everything the API needs, passed in so tests can hand it real local peers. */
export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Client;
  mailer: Mailer;
  logger: Logger;
}
