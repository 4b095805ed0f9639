import { Kysely, sql } from 'kysely';
import { runScript } from './run-script';

/**
 * Prompt versions become a lifecycle (DESIGN.md Part 2, "The learning loop"): draft → canary →
 * active → retired, managed through the API instead of migrations. `is_active` stays as a
 * generated column (status canary or active) so every reader of "the version in use" is unchanged,
 * and the partial unique index keeps one version in use per (agent, message type, locale).
 * A canary version counts its reviewed messages in the row itself (`canary_used` against
 * `canary_messages`), so concurrent workflows take canary slots atomically with one UPDATE.
 * Who did what and when is the append-only `prompt_version_events` table. The text of a version
 * is never edited: a trigger refuses any UPDATE of the prompt or template columns.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP INDEX IF EXISTS prompt_templates_one_active_idx;
    ALTER TABLE prompt_templates ADD COLUMN status text NOT NULL DEFAULT 'draft'
      CHECK (status IN ('draft', 'canary', 'active', 'retired'));
    UPDATE prompt_templates SET status = CASE WHEN is_active THEN 'active' ELSE 'retired' END;
    ALTER TABLE prompt_templates DROP COLUMN is_active;
    ALTER TABLE prompt_templates ADD COLUMN is_active boolean GENERATED ALWAYS AS (status IN ('canary', 'active')) STORED;
    ALTER TABLE prompt_templates ADD COLUMN notes text;
    ALTER TABLE prompt_templates ADD COLUMN created_by text NOT NULL DEFAULT 'migration';
    ALTER TABLE prompt_templates ADD COLUMN canary_messages integer NOT NULL DEFAULT 0 CHECK (canary_messages >= 0);
    ALTER TABLE prompt_templates ADD COLUMN canary_used integer NOT NULL DEFAULT 0 CHECK (canary_used >= 0);
    ALTER TABLE prompt_templates ADD COLUMN activated_at timestamptz;
    ALTER TABLE prompt_templates ADD COLUMN retired_at timestamptz;
    ALTER TABLE prompt_templates ADD COLUMN replaces_id uuid REFERENCES prompt_templates(id);
    UPDATE prompt_templates SET activated_at = created_at WHERE status = 'active';
    CREATE UNIQUE INDEX prompt_templates_one_in_use_idx
      ON prompt_templates (agent_type, message_type, locale) WHERE status IN ('canary', 'active');

    CREATE TABLE prompt_version_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      prompt_id uuid NOT NULL REFERENCES prompt_templates(id),
      action text NOT NULL CHECK (action IN ('created', 'canary_started', 'activated', 'canary_completed', 'retired', 'rolled_back')),
      actor text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX prompt_version_events_prompt_idx ON prompt_version_events (prompt_id, at);
  `);
  await sql`INSERT INTO prompt_version_events (prompt_id, action, actor, at)
    SELECT id, 'activated', 'migration', created_at FROM prompt_templates WHERE status = 'active'`.execute(db);
  // One statement: the function body has semicolons that runScript would split on.
  await sql
    .raw(
      `CREATE FUNCTION prompt_templates_never_edited() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.agent_type IS DISTINCT FROM OLD.agent_type OR NEW.message_type IS DISTINCT FROM OLD.message_type
           OR NEW.locale IS DISTINCT FROM OLD.locale OR NEW.version IS DISTINCT FROM OLD.version
           OR NEW.system_prompt IS DISTINCT FROM OLD.system_prompt OR NEW.user_prompt IS DISTINCT FROM OLD.user_prompt
           OR NEW.fallback_subject IS DISTINCT FROM OLD.fallback_subject OR NEW.fallback_text IS DISTINCT FROM OLD.fallback_text
           OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
          RAISE EXCEPTION 'prompt version % is never edited: create a new version', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`,
    )
    .execute(db);
  await sql`CREATE TRIGGER prompt_templates_never_edited BEFORE UPDATE ON prompt_templates
    FOR EACH ROW EXECUTE FUNCTION prompt_templates_never_edited()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP TRIGGER IF EXISTS prompt_templates_never_edited ON prompt_templates;
    DROP FUNCTION IF EXISTS prompt_templates_never_edited();
    DROP TABLE IF EXISTS prompt_version_events;
    DROP INDEX IF EXISTS prompt_templates_one_in_use_idx;
    ALTER TABLE prompt_templates DROP COLUMN is_active;
    ALTER TABLE prompt_templates ADD COLUMN is_active boolean NOT NULL DEFAULT false;
    UPDATE prompt_templates SET is_active = status IN ('canary', 'active');
    ALTER TABLE prompt_templates DROP COLUMN replaces_id;
    ALTER TABLE prompt_templates DROP COLUMN retired_at;
    ALTER TABLE prompt_templates DROP COLUMN activated_at;
    ALTER TABLE prompt_templates DROP COLUMN canary_used;
    ALTER TABLE prompt_templates DROP COLUMN canary_messages;
    ALTER TABLE prompt_templates DROP COLUMN created_by;
    ALTER TABLE prompt_templates DROP COLUMN notes;
    ALTER TABLE prompt_templates DROP COLUMN status;
    CREATE UNIQUE INDEX prompt_templates_one_active_idx
      ON prompt_templates (agent_type, message_type, locale) WHERE is_active;
  `);
}
