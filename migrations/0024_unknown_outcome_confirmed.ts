import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * An attempt that takes over a send left in doubt first asks the sender's Sent mailbox over
 * IMAP (SENT_MAILBOX_URL) whether the earlier attempt's mail is there. When it is, the message is
 * recorded SENT without mailing it again, and counted here: the row then says its earlier
 * attempt's outcome was unknown and was confirmed from the Sent copy, beside
 * `unknown_outcome_resends` for the ones that were sent again (not found, or IMAP unreachable).
 * The chaos suite reads both from the rows, since the counting workers may have been killed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ai_messages ADD COLUMN unknown_outcome_confirmed integer NOT NULL DEFAULT 0;`);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ai_messages DROP COLUMN IF EXISTS unknown_outcome_confirmed;`);
}
