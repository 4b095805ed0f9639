import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * CoachNova's writes become idempotent: an assessment or supervisor alert retried by Temporal
 * (or replayed after a worker crash) finds the row it already wrote by its key. Supervisor
 * alerts get their own table because a supervisor is an email address, not a user with messages.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    ALTER TABLE burnout_assessments ADD COLUMN idempotency_key text UNIQUE;

    CREATE TABLE supervisor_alerts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      worker_id uuid NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
      idempotency_key text NOT NULL UNIQUE,
      score numeric(6, 2) NOT NULL,
      level risk_level NOT NULL,
      factors jsonb NOT NULL,
      correlation_id text,
      workflow_id text,
      provider_message_id text,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX supervisor_alerts_worker_idx ON supervisor_alerts (worker_id, created_at DESC);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP TABLE IF EXISTS supervisor_alerts;
    ALTER TABLE burnout_assessments DROP COLUMN IF EXISTS idempotency_key;
  `);
}
