import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * Indexes behind SmartEngage's set-based segment query, its send-time re-checks and the funnel.
 * The segment walks `customers` by last_booking_at range; each candidate is then probed by key
 * (consent, recent messages, live claims, open bookings), so every probe needs an index on the
 * customer id. `ai_messages (user_id, created_at DESC)` (the frequency cap) already exists (0001).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    -- range scan on cadence, carrying the id so the keyset order is served from the index
    CREATE INDEX customers_last_booking_id_idx ON customers (last_booking_at, id);
    -- only consenting, active customers are ever messaged: a small partial index answers the consent probe
    CREATE INDEX users_marketing_consent_idx ON users (id)
      WHERE role = 'customer' AND is_active AND (consent ->> 'marketing') = 'true';
    -- "has an open booking" probe, and the cheap path for it
    CREATE INDEX bookings_customer_open_idx ON bookings (customer_id)
      WHERE status IN ('PENDING', 'CONFIRMED', 'IN_PROGRESS');
    -- live claims by expiry (the segment and the claim both look at expires_at)
    CREATE INDEX contact_claims_expires_idx ON contact_claims (agent_type, expires_at);
    -- the funnel aggregates one agent's messages over a date range
    CREATE INDEX ai_messages_agent_created_idx ON ai_messages (agent_type, created_at);
    CREATE INDEX campaigns_created_idx ON campaigns (created_at DESC);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP INDEX IF EXISTS campaigns_created_idx;
    DROP INDEX IF EXISTS ai_messages_agent_created_idx;
    DROP INDEX IF EXISTS contact_claims_expires_idx;
    DROP INDEX IF EXISTS bookings_customer_open_idx;
    DROP INDEX IF EXISTS users_marketing_consent_idx;
    DROP INDEX IF EXISTS customers_last_booking_id_idx;
  `);
}
