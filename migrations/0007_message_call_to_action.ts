import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * A message's call to action (the button label) is part of the text the safety check passed,
 * so it is stored next to subject and body rather than rebuilt at send time.
 * `send_lease_until` is held while one delivery attempt talks to the mail server, so that an
 * overlapping attempt (a retry started after a timeout while the first is still sending)
 * waits instead of sending the same message twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    ALTER TABLE ai_messages ADD COLUMN call_to_action text;
    ALTER TABLE ai_messages ADD COLUMN send_lease_until timestamptz;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    ALTER TABLE ai_messages DROP COLUMN IF EXISTS send_lease_until;
    ALTER TABLE ai_messages DROP COLUMN IF EXISTS call_to_action;
  `);
}
