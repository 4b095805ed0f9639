import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * Experiments on a SmartEngage campaign (DESIGN.md Part 2, "Experiments and uplift"). One
 * experiment per campaign (its job); arms with weights; one assignment per customer and
 * experiment, written once (unique key) so a retried activity or a replayed campaign finds the
 * arm it already gave. `assigned_at` starts the customer's attribution window: conversions are
 * bookings made after it, read from `bookings` whichever path created them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    CREATE TABLE experiments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      campaign_id uuid NOT NULL UNIQUE REFERENCES campaigns(id) ON DELETE CASCADE,
      name text,
      attribution_window_seconds integer NOT NULL CHECK (attribution_window_seconds > 0),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE experiment_arms (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      experiment_id uuid NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      position integer NOT NULL,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('holdout', 'template', 'llm')),
      weight double precision NOT NULL CHECK (weight > 0),
      prompt_version integer,
      send_time text CHECK (send_time IN ('window', 'personal')),
      UNIQUE (experiment_id, name),
      UNIQUE (experiment_id, position),
      CHECK (prompt_version IS NULL OR kind = 'llm')
    );

    CREATE TABLE experiment_assignments (
      experiment_id uuid NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      customer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      arm_id uuid NOT NULL REFERENCES experiment_arms(id) ON DELETE CASCADE,
      assigned_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (experiment_id, customer_id)
    );
    CREATE INDEX experiment_assignments_arm_idx ON experiment_assignments (arm_id);
    CREATE INDEX experiment_assignments_customer_idx ON experiment_assignments (customer_id);

    -- conversions (bookings after an assignment) and a customer's booking hours are read by customer and time
    CREATE INDEX bookings_customer_created_idx ON bookings (customer_id, created_at);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP INDEX IF EXISTS bookings_customer_created_idx;
    DROP TABLE IF EXISTS experiment_assignments;
    DROP TABLE IF EXISTS experiment_arms;
    DROP TABLE IF EXISTS experiments;
  `);
}
