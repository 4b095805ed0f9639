import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * Signals owed to workflows (a customer's first click), written in the same transaction as the
 * response they report, and deleted once the workflow has it. Any API process drains the table
 * (FOR UPDATE SKIP LOCKED), so a process that dies between storing CLICKED and signalling leaves
 * the signal for the others instead of losing it (the workflow would record IGNORED).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    CREATE TABLE signal_outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      message_id uuid NOT NULL REFERENCES ai_messages(id) ON DELETE CASCADE,
      workflow_id text,
      event jsonb NOT NULL,
      correlation_id text,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX signal_outbox_due ON signal_outbox (next_attempt_at);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `DROP TABLE IF EXISTS signal_outbox;`);
}
