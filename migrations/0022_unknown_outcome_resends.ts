import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * SMTP has no idempotent submit: an attempt that ends without knowing whether the mail server
 * accepted the message (its worker died holding the lease, or the connection was lost with no
 * reply) leaves it in doubt, and the retry mails it again with the same Message-ID. Each such
 * resend is counted on the message, so a second copy a customer received is explained by its
 * row (the chaos suite checks every duplicate against it) and operators can see which messages
 * may have gone out twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ai_messages ADD COLUMN unknown_outcome_resends integer NOT NULL DEFAULT 0;`);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ai_messages DROP COLUMN IF EXISTS unknown_outcome_resends;`);
}
