import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * Each message names the workflow that owns its follow-up, so a click, reply or acknowledgement
 * arriving over HTTP can be signalled to the right run without guessing ids.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    ALTER TABLE ai_messages ADD COLUMN workflow_id text;
    CREATE INDEX ai_messages_workflow_idx ON ai_messages (workflow_id) WHERE workflow_id IS NOT NULL;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP INDEX IF EXISTS ai_messages_workflow_idx;
    ALTER TABLE ai_messages DROP COLUMN IF EXISTS workflow_id;
  `);
}
