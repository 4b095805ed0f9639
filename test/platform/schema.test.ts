import { sql } from 'kysely';
import type { Database } from '../../src/db/types';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * `src/db/types.ts` is written by hand next to the migrations; this keeps the two equal. The map
 * below is checked by the compiler against the Database interface (every table, every column,
 * nothing extra), and the test checks it against a freshly migrated schema. A migration that
 * adds a column therefore fails here until types.ts (and this map) say so, and the reverse.
 */
type SchemaMap = { [T in keyof Database]: { [C in keyof Database[T]]-?: true } };

const SCHEMA: SchemaMap = {
  ai_messages: { id: true, user_id: true, worker_id: true, role: true, agent_type: true, channel: true, message_type: true, subject: true, message_text: true, locale: true, deep_link: true, template_id: true, campaign_id: true, correlation_id: true, model: true, prompt_version: true, safety_checks: true, delivery_status: true, provider_message_id: true, attempts: true, error: true, sent_at: true, user_response: true, responded_at: true, idempotency_key: true, created_at: true, updated_at: true, workflow_id: true, call_to_action: true, send_lease_until: true, send_lease_owner: true, unknown_outcome_resends: true, unknown_outcome_confirmed: true },
  bookings: { id: true, customer_id: true, service_id: true, worker_id: true, status: true, scheduled_at: true, started_at: true, finished_at: true, total_price: true, rating: true, feedback: true, minutes_late: true, source_message_id: true, created_at: true, updated_at: true },
  burnout_assessments: { id: true, worker_id: true, score: true, level: true, factors: true, trigger: true, correlation_id: true, assessed_at: true, idempotency_key: true },
  campaigns: { id: true, segment_id: true, criteria: true, status: true, estimated_count: true, eligible_count: true, sent_count: true, failed_count: true, skipped_count: true, skipped_reasons: true, workflow_id: true, correlation_id: true, error: true, started_at: true, finished_at: true, created_at: true, updated_at: true },
  contact_claims: { user_id: true, agent_type: true, claimed_at: true, expires_at: true, claimed_by: true },
  customers: { id: true, typical_services: true, last_booking_at: true },
  deep_links: { token_id: true, customer_id: true, service_id: true, message_id: true, promo_code: true, expires_at: true, first_clicked_at: true, click_count: true, created_at: true },
  otp_codes: { id: true, email: true, code_hash: true, expires_at: true, attempts: true, consumed_at: true, created_at: true },
  prompt_templates: { id: true, agent_type: true, message_type: true, locale: true, version: true, system_prompt: true, user_prompt: true, fallback_subject: true, fallback_text: true, is_active: true, created_at: true, status: true, notes: true, created_by: true, canary_messages: true, canary_used: true, activated_at: true, retired_at: true, replaces_id: true },
  prompt_version_events: { id: true, prompt_id: true, action: true, actor: true, details: true, at: true },
  message_approvals: { message_id: true, workflow_id: true, customer_id: true, campaign_id: true, prompt_id: true, prompt_version: true, reason: true, draft: true, safety: true, model: true, waiting_since: true, expires_at: true, decision: true, note: true, decided_by: true, decided_at: true },
  signal_outbox: { id: true, message_id: true, workflow_id: true, event: true, correlation_id: true, attempts: true, next_attempt_at: true, last_error: true, created_at: true },
  rate_limits: { key: true, hits: true, reset_at: true },
  services: { id: true, name: true, name_bn: true, description: true, category: true, base_price: true, is_active: true, created_at: true, updated_at: true },
  supervisor_alerts: { id: true, worker_id: true, idempotency_key: true, score: true, level: true, factors: true, correlation_id: true, workflow_id: true, provider_message_id: true, sent_at: true, created_at: true },
  users: { id: true, email: true, phone: true, full_name: true, role: true, locale: true, timezone: true, consent: true, is_active: true, created_at: true, updated_at: true },
  workers: { id: true, skills: true, supervisor_email: true },
  experiments: { id: true, campaign_id: true, name: true, attribution_window_seconds: true, created_at: true },
  experiment_arms: { id: true, experiment_id: true, position: true, name: true, kind: true, weight: true, prompt_version: true, send_time: true },
  experiment_assignments: { experiment_id: true, customer_id: true, arm_id: true, assigned_at: true },
  customer_decisions: { id: true, customer_id: true, campaign_id: true, workflow_id: true, kind: true, reason: true, facts: true, at: true, idempotency_key: true },
  message_replies: { id: true, message_id: true, user_id: true, channel: true, text: true, dedupe_key: true, email_message_id: true, intent: true, summary: true, requested_date: true, mood: true, classified_by: true, prompt_version: true, classifier_error: true, flags: true, correlation_id: true, received_at: true, classified_at: true, handled_at: true },
};

/** The migrator's own bookkeeping tables, which the application never queries. */
const MIGRATOR_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

const sorted = (map: Record<string, Record<string, true>>) =>
  Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)).map(([table, columns]) => [table, Object.keys(columns).sort()]));

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('db/types.ts and the migrated schema', () => {
  it('name the same tables and columns', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns where table_schema = ${testDb.schema}
    `.execute(testDb.db);
    const migrated: Record<string, Record<string, true>> = {};
    for (const { table_name, column_name } of rows) {
      if (!MIGRATOR_TABLES.has(table_name)) (migrated[table_name] ??= {})[column_name] = true;
    }
    expect(sorted(migrated)).toEqual(sorted(SCHEMA));
  });
});
