import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * Every decision SmartEngage takes about a customer, with the facts it was taken on
 * (DESIGN.md Part 2, "Explanations"). Written by the activity that took the decision, keyed by
 * an idempotency key so a retried activity does not tell the story twice. Read newest first per
 * customer for the timeline.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    CREATE TABLE customer_decisions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      campaign_id uuid,
      workflow_id text,
      kind text NOT NULL CHECK (kind IN ('eligible', 'skipped', 'assigned', 'scheduled', 'composed', 'awaiting_approval',
        'approved', 'rejected', 'sent', 'failed', 'clicked', 'replied', 'booked', 'ignored')),
      reason text,
      facts jsonb NOT NULL DEFAULT '{}',
      at timestamptz NOT NULL DEFAULT now(),
      idempotency_key text NOT NULL UNIQUE
    );
    CREATE INDEX customer_decisions_customer_idx ON customer_decisions (customer_id, at DESC);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `DROP TABLE IF EXISTS customer_decisions;`);
}
