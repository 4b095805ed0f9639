import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * A message's call to action (the button label) is part of the text the safety check passed,
 * so it is stored next to subject and body rather than rebuilt at send time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    ALTER TABLE ai_messages ADD COLUMN call_to_action text;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    ALTER TABLE ai_messages DROP COLUMN IF EXISTS call_to_action;
  `);
}
