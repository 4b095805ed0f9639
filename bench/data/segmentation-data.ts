import type { Client } from 'pg';
import { seedCatalogue } from './catalogue';

/**
 * Generates a marketplace of `customers` customers with about five bookings each, in SQL
 * (generate_series), so a million customers load in minutes rather than hours.
 *
 * Every value is a deterministic hash of the customer number (bench_r), so two runs build the
 * same data: 80 % Bengali, 70 % marketing consent (20 % refused, 10 % never asked), 3 %
 * inactive, last completed booking skewed towards recent weeks with a tail past a year,
 * 1–9 bookings each (8 % of the older ones cancelled), 4 % with an open booking, 10 % sent a
 * reminder in the last two months (2 % in the last day) and 1 % holding a contact claim.
 *
 * Secondary indexes are dropped for the load and built afterwards, foreign-key triggers are off
 * for the loading session (the data is consistent by construction), then ANALYZE.
 */
export interface SegmentationData {
  customers: number;
  bookings: number;
  messages: number;
  workers: number;
  loadMs: number;
  indexMs: number;
}

const WORKERS = 2000;
const CHUNK = 250_000;
const TABLES = ['users', 'customers', 'workers', 'bookings', 'ai_messages', 'contact_claims'];

const FUNCTIONS = `
CREATE OR REPLACE FUNCTION bench_r(i bigint, salt int) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (hashint8(i * 16 + salt) & 2147483647)::float8 / 2147483648.0 $$;
CREATE OR REPLACE FUNCTION bench_customer_id(i bigint) RETURNS uuid
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT bench_uuid('customer-' || i) $$;
CREATE OR REPLACE FUNCTION bench_worker_id(i bigint) RETURNS uuid
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT bench_uuid('worker-' || i) $$;
CREATE OR REPLACE FUNCTION bench_last_days(i bigint) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 1 + 399 * bench_r(i, 2) ^ 2 $$;
CREATE OR REPLACE FUNCTION bench_cadence_days(i bigint) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 14 + 60 * bench_r(i, 3) $$;
CREATE OR REPLACE FUNCTION bench_booking_count(i bigint) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 1 + floor(9 * bench_r(i, 1))::int $$
`;

const USERS = `
INSERT INTO users (id, email, full_name, role, locale, timezone, consent, is_active, created_at, updated_at)
SELECT bench_customer_id(i), 'customer' || i || '@segment.bench.invalid', 'Customer ' || i, 'customer',
  (CASE WHEN bench_r(i, 4) < 0.8 THEN 'bn' ELSE 'en' END)::user_locale, 'Asia/Dhaka',
  CASE WHEN bench_r(i, 5) < 0.7 THEN '{"marketing": true}'::jsonb
       WHEN bench_r(i, 5) < 0.9 THEN '{"marketing": false}'::jsonb ELSE '{}'::jsonb END,
  bench_r(i, 6) >= 0.03,
  $1::timestamptz - make_interval(days => 400 + (bench_r(i, 7) * 600)::int), $1::timestamptz
FROM generate_series($2::bigint, $3::bigint) AS i`;

const CUSTOMERS = `
INSERT INTO customers (id, typical_services, last_booking_at)
SELECT bench_customer_id(i), ARRAY[s.ids[1 + floor(bench_r(i, 8) * s.n)::int]],
  $1::timestamptz - make_interval(secs => bench_last_days(i) * 86400)
FROM generate_series($2::bigint, $3::bigint) AS i,
  (SELECT array_agg(id ORDER BY name) AS ids, count(*) AS n FROM services WHERE is_active) AS s`;

// Booking k of customer i finished (k * cadence) days before the last one; k = 0 is the last
// completed booking, so customers.last_booking_at matches the bookings exactly.
const BOOKINGS = `
INSERT INTO bookings (id, customer_id, service_id, worker_id, status, scheduled_at, started_at, finished_at,
  total_price, rating, created_at, updated_at)
SELECT (lpad(to_hex(i), 16, '0') || lpad(to_hex(k), 16, '0'))::uuid, bench_customer_id(i),
  CASE WHEN bench_r(i * 16 + k, 10) < 0.6 THEN s.ids[1 + floor(bench_r(i, 8) * s.n)::int]
       ELSE s.ids[1 + floor(bench_r(i * 16 + k, 11) * s.n)::int] END,
  bench_worker_id(1 + floor(bench_r(i * 16 + k, 12) * ${WORKERS})::bigint),
  x.status, x.finished - interval '3 hours', x.finished - interval '2 hours',
  CASE WHEN x.status = 'COMPLETED' THEN x.finished END,
  500 + floor(bench_r(i * 16 + k, 13) * 5000),
  CASE WHEN x.status <> 'COMPLETED' THEN NULL WHEN bench_r(i * 16 + k, 14) < 0.05 THEN 2
       WHEN bench_r(i * 16 + k, 14) < 0.15 THEN 3 WHEN bench_r(i * 16 + k, 14) < 0.45 THEN 4 ELSE 5 END,
  x.finished - interval '1 day', x.finished
FROM generate_series($2::bigint, $3::bigint) AS i
  CROSS JOIN LATERAL generate_series(0, bench_booking_count(i) - 1) AS k
  CROSS JOIN LATERAL (SELECT
      CASE WHEN k > 0 AND bench_r(i * 16 + k, 9) < 0.08 THEN 'CANCELLED' ELSE 'COMPLETED' END::booking_status AS status,
      $1::timestamptz - make_interval(secs => (bench_last_days(i) + k * bench_cadence_days(i)) * 86400) AS finished) AS x,
  (SELECT array_agg(id ORDER BY name) AS ids, count(*) AS n FROM services WHERE is_active) AS s`;

const OPEN_BOOKINGS = `
INSERT INTO bookings (id, customer_id, service_id, status, scheduled_at, total_price, created_at, updated_at)
SELECT (lpad(to_hex(i), 16, '0') || lpad(to_hex(15), 16, '0'))::uuid, bench_customer_id(i), s.ids[1],
  (CASE WHEN bench_r(i, 13) < 0.02 THEN 'PENDING' ELSE 'CONFIRMED' END)::booking_status,
  $1::timestamptz + make_interval(days => 1 + (bench_r(i, 12) * 6)::int), 1000, $1::timestamptz, $1::timestamptz
FROM generate_series($2::bigint, $3::bigint) AS i,
  (SELECT array_agg(id ORDER BY name) AS ids FROM services WHERE is_active) AS s
WHERE bench_r(i, 13) < 0.04`;

const MESSAGES = `
INSERT INTO ai_messages (user_id, role, agent_type, channel, message_type, subject, message_text, locale,
  delivery_status, sent_at, created_at, updated_at)
SELECT bench_customer_id(i), 'CUSTOMER', 'smartengage', 'EMAIL', 'REMINDER', 'We miss you', 'It has been a while.', 'bn', 'SENT', t, t, t
FROM generate_series($2::bigint, $3::bigint) AS i
  CROSS JOIN LATERAL (SELECT CASE WHEN bench_r(i, 14) < 0.02 THEN $1::timestamptz - make_interval(secs => bench_r(i, 11) * 72000)
                                  ELSE $1::timestamptz - make_interval(days => 2 + (bench_r(i, 11) * 58)::int) END AS t) AS m
WHERE bench_r(i, 14) < 0.10`;

const CLAIMS = `
INSERT INTO contact_claims (user_id, agent_type, claimed_at, expires_at, claimed_by)
SELECT bench_customer_id(i), 'smartengage', $1::timestamptz - interval '1 hour', $1::timestamptz + interval '23 hours', 'bench'
FROM generate_series($2::bigint, $3::bigint) AS i WHERE bench_r(i, 15) BETWEEN 0.5 AND 0.51`;

const WORKER_USERS = `
INSERT INTO users (id, email, full_name, role, consent)
SELECT bench_worker_id(i), 'worker' || i || '@segment.bench.invalid', 'Worker ' || i, 'worker', '{}'::jsonb
FROM generate_series(1, ${WORKERS}) AS i;
INSERT INTO workers (id, skills) SELECT bench_worker_id(i), '{CLEANING}' FROM generate_series(1, ${WORKERS}) AS i`;

interface IndexDef {
  name: string;
  def: string;
}

/** Secondary indexes (not those behind a constraint) of the tables we load. */
async function secondaryIndexes(client: Client): Promise<IndexDef[]> {
  const { rows } = await client.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [TABLES],
  );
  return rows.map((r) => ({ name: r.indexname, def: r.indexdef }));
}

async function count(client: Client, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

export async function seedSegmentationData(client: Client, customers: number, asOf: Date, log: (m: string) => void): Promise<SegmentationData> {
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '512MB'`);
  await client.query(`SET session_replication_role = replica`);
  await client.query(FUNCTIONS);
  await seedCatalogue((text, values) => client.query(text, values));
  const indexes = await secondaryIndexes(client);
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);

  const loadStarted = performance.now();
  await client.query(WORKER_USERS);
  for (let lo = 1; lo <= customers; lo += CHUNK) {
    const hi = Math.min(customers, lo + CHUNK - 1);
    const params = [asOf.toISOString(), lo, hi];
    for (const statement of [USERS, CUSTOMERS, BOOKINGS, OPEN_BOOKINGS, MESSAGES, CLAIMS]) await client.query(statement, params);
    log(`  loaded customers ${lo.toLocaleString('en-US')}–${hi.toLocaleString('en-US')} (${Math.round((performance.now() - loadStarted) / 1000)} s)`);
  }
  const loadMs = performance.now() - loadStarted;

  const indexStarted = performance.now();
  for (const index of indexes) await client.query(index.def);
  await client.query(`SET session_replication_role = origin`);
  await client.query(`VACUUM ANALYZE`);
  const indexMs = performance.now() - indexStarted;
  log(`  built ${indexes.length} indexes and analyzed (${Math.round(indexMs / 1000)} s)`);

  return {
    customers: await count(client, 'customers'),
    bookings: await count(client, 'bookings'),
    messages: await count(client, 'ai_messages'),
    workers: WORKERS,
    loadMs,
    indexMs,
  };
}
