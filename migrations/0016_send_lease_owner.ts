import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * The send lease gets an owner (one id per delivery attempt), so the attempt that holds it can
 * renew it while it talks to the mail server and release only its own lease: a lease is now
 * short and kept alive by the sending attempt, and a retry takes over as soon as the holder
 * stops renewing (a killed worker) instead of waiting out a fixed two minutes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ai_messages ADD COLUMN send_lease_owner uuid;`);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ai_messages DROP COLUMN IF EXISTS send_lease_owner;`);
}
