import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * The approval queue (DESIGN.md Part 2, "The learning loop"): a reminder written by a canary
 * prompt version, or a flagged one, waits in its workflow for an operator's decision. The
 * workflow writes this row when it starts to wait and the decision when it has one, so
 * `GET /internal/approvals` reads the queue here instead of querying every workflow.
 * `message_id` is the id the reminder gets in `ai_messages` once it is sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    CREATE TABLE message_approvals (
      message_id uuid PRIMARY KEY,
      workflow_id text NOT NULL,
      customer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      campaign_id uuid REFERENCES campaigns(id) ON DELETE SET NULL,
      prompt_id uuid NOT NULL REFERENCES prompt_templates(id),
      prompt_version integer NOT NULL,
      reason text NOT NULL CHECK (reason IN ('canary', 'flagged')),
      draft jsonb NOT NULL,
      safety jsonb NOT NULL,
      model text NOT NULL,
      waiting_since timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      decision text CHECK (decision IN ('approve', 'reject', 'timeout')),
      note text,
      decided_by text,
      decided_at timestamptz
    );
    CREATE INDEX message_approvals_waiting_idx ON message_approvals (waiting_since) WHERE decision IS NULL;
    CREATE INDEX message_approvals_customer_idx ON message_approvals (customer_id);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `DROP TABLE IF EXISTS message_approvals;`);
}
