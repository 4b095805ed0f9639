import { Kysely } from 'kysely';
import { runScript } from './run-script';

/**
 * The whole data model of DESIGN.md. Written in SQL because enums, partial and expression
 * indexes and check constraints read more clearly here than in a builder.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    CREATE TYPE user_role AS ENUM ('customer', 'worker', 'operator');
    CREATE TYPE user_locale AS ENUM ('bn', 'en');
    CREATE TYPE service_category AS ENUM (
      'CLEANING', 'AC_REPAIR', 'PLUMBING', 'ELECTRICAL', 'BEAUTY', 'PEST_CONTROL', 'SHIFTING',
      'APPLIANCE_REPAIR', 'PAINTING', 'CARPENTRY'
    );
    CREATE TYPE booking_status AS ENUM ('PENDING', 'CONFIRMED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED');
    CREATE TYPE message_role AS ENUM ('CUSTOMER', 'WORKER');
    CREATE TYPE agent_type AS ENUM ('smartengage', 'coachnova');
    CREATE TYPE message_channel AS ENUM ('SMS', 'EMAIL', 'APP_PUSH', 'WHATSAPP', 'IN_APP');
    CREATE TYPE message_type AS ENUM ('REMINDER', 'COACHING', 'BURNOUT_CHECK', 'UPSELL');
    CREATE TYPE delivery_status AS ENUM ('PENDING', 'SENT', 'DELIVERED', 'FAILED');
    CREATE TYPE user_response AS ENUM ('CLICKED', 'REPLIED', 'IGNORED', 'BOOKED', 'ACKNOWLEDGED');
    CREATE TYPE campaign_status AS ENUM ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED');
    CREATE TYPE risk_level AS ENUM ('LOW', 'MODERATE', 'HIGH');
  `);

  await runScript(db, `
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      phone text,
      full_name text NOT NULL,
      role user_role NOT NULL DEFAULT 'customer',
      locale user_locale NOT NULL DEFAULT 'bn',
      timezone text NOT NULL DEFAULT 'Asia/Dhaka',
      consent jsonb NOT NULL DEFAULT '{}'::jsonb,
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

    CREATE TABLE customers (
      id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      typical_services uuid[] NOT NULL DEFAULT '{}',
      last_booking_at timestamptz
    );
    CREATE INDEX customers_last_booking_at_idx ON customers (last_booking_at);

    CREATE TABLE workers (
      id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      skills service_category[] NOT NULL DEFAULT '{}',
      supervisor_email text
    );

    CREATE TABLE services (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      name_bn text NOT NULL,
      description text NOT NULL DEFAULT '',
      category service_category NOT NULL,
      base_price numeric(12, 2) NOT NULL CHECK (base_price >= 0),
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX services_category_idx ON services (category) WHERE is_active;

    CREATE TABLE ai_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      worker_id uuid REFERENCES workers(id) ON DELETE SET NULL,
      role message_role NOT NULL,
      agent_type agent_type NOT NULL,
      channel message_channel NOT NULL,
      message_type message_type NOT NULL,
      subject text,
      message_text text NOT NULL,
      locale user_locale NOT NULL DEFAULT 'bn',
      deep_link text,
      template_id uuid,
      campaign_id uuid,
      correlation_id text,
      model text,
      prompt_version integer,
      safety_checks jsonb NOT NULL DEFAULT '{}'::jsonb,
      delivery_status delivery_status NOT NULL DEFAULT 'PENDING',
      provider_message_id text,
      attempts integer NOT NULL DEFAULT 0,
      error text,
      sent_at timestamptz,
      user_response user_response,
      responded_at timestamptz,
      idempotency_key text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ai_messages_correlation_id_idx ON ai_messages (correlation_id);
    CREATE INDEX ai_messages_user_created_idx ON ai_messages (user_id, created_at DESC);
    CREATE INDEX ai_messages_campaign_idx ON ai_messages (campaign_id) WHERE campaign_id IS NOT NULL;

    CREATE TABLE bookings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
      service_id uuid NOT NULL REFERENCES services(id),
      worker_id uuid REFERENCES workers(id) ON DELETE SET NULL,
      status booking_status NOT NULL DEFAULT 'PENDING',
      scheduled_at timestamptz NOT NULL,
      started_at timestamptz,
      finished_at timestamptz,
      total_price numeric(12, 2) NOT NULL DEFAULT 0 CHECK (total_price >= 0),
      rating smallint CHECK (rating BETWEEN 1 AND 5),
      feedback text,
      minutes_late integer CHECK (minutes_late >= 0),
      source_message_id uuid REFERENCES ai_messages(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- the segment query walks a customer's completed bookings by service
    CREATE INDEX bookings_customer_completed_idx ON bookings (customer_id, service_id) WHERE status = 'COMPLETED';
    CREATE INDEX bookings_worker_finished_idx ON bookings (worker_id, finished_at);
    CREATE INDEX bookings_source_message_idx ON bookings (source_message_id) WHERE source_message_id IS NOT NULL;

    CREATE TABLE prompt_templates (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      agent_type agent_type NOT NULL,
      message_type message_type NOT NULL,
      locale user_locale NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      system_prompt text NOT NULL,
      user_prompt text NOT NULL,
      fallback_subject text NOT NULL,
      fallback_text text NOT NULL,
      is_active boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (agent_type, message_type, locale, version)
    );
    CREATE UNIQUE INDEX prompt_templates_one_active_idx
      ON prompt_templates (agent_type, message_type, locale) WHERE is_active;

    CREATE TABLE campaigns (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      segment_id text NOT NULL,
      criteria jsonb NOT NULL,
      status campaign_status NOT NULL DEFAULT 'PENDING',
      estimated_count integer NOT NULL DEFAULT 0,
      eligible_count integer NOT NULL DEFAULT 0,
      sent_count integer NOT NULL DEFAULT 0,
      failed_count integer NOT NULL DEFAULT 0,
      skipped_count integer NOT NULL DEFAULT 0,
      skipped_reasons jsonb NOT NULL DEFAULT '{}'::jsonb,
      workflow_id text NOT NULL UNIQUE,
      correlation_id text,
      error text,
      started_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX campaigns_correlation_id_idx ON campaigns (correlation_id);

    ALTER TABLE ai_messages ADD CONSTRAINT ai_messages_campaign_fk
      FOREIGN KEY (campaign_id) REFERENCES campaigns(id) ON DELETE SET NULL;
    ALTER TABLE ai_messages ADD CONSTRAINT ai_messages_template_fk
      FOREIGN KEY (template_id) REFERENCES prompt_templates(id);

    -- The frequency cap is held here, not by a read-then-write: a contact claims the slot
    -- (user, cap window start) and a second claim in the same window fails on the key.
    CREATE TABLE contact_claims (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      agent_type agent_type NOT NULL,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      claimed_by text NOT NULL,
      PRIMARY KEY (user_id, agent_type)
    );

    CREATE TABLE otp_codes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      code_hash text NOT NULL,
      expires_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      consumed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX otp_codes_email_created_idx ON otp_codes (lower(email), created_at DESC);

    CREATE TABLE deep_links (
      token_id uuid PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
      service_id uuid REFERENCES services(id),
      message_id uuid REFERENCES ai_messages(id) ON DELETE CASCADE,
      promo_code text,
      expires_at timestamptz NOT NULL,
      first_clicked_at timestamptz,
      click_count integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX deep_links_message_idx ON deep_links (message_id);

    CREATE TABLE burnout_assessments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      worker_id uuid NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
      score numeric(6, 2) NOT NULL,
      level risk_level NOT NULL,
      factors jsonb NOT NULL,
      trigger text,
      correlation_id text,
      assessed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX burnout_assessments_worker_idx ON burnout_assessments (worker_id, assessed_at DESC);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    DROP TABLE IF EXISTS burnout_assessments, deep_links, otp_codes, contact_claims, campaigns,
      prompt_templates, bookings, ai_messages, services, workers, customers, users CASCADE;
    DROP TYPE IF EXISTS risk_level, campaign_status, user_response, delivery_status, message_type,
      message_channel, agent_type, message_role, booking_status, service_category, user_locale, user_role;
  `);
}
