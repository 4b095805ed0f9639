import type { Pool } from 'pg';

export interface CampaignCustomers {
  tag: string;
  /** Lower-cased addresses of the customers the segment must contain. */
  eligible: string[];
  /** Customers who must not be contacted: no consent, or booked too recently. */
  controls: string[];
}

const SERVICES = `(SELECT array_agg(id ORDER BY name) AS ids, count(*) AS n FROM services WHERE is_active) AS s`;

/**
 * `count` customers due a reminder (marketing consent, last completed booking 30 days ago,
 * 80 % Bengali, Asia/Dhaka), plus `controls` who must get nothing: half without consent,
 * half whose last booking was 5 days ago. Emails and ids carry `tag`, so runs never overlap.
 */
export async function seedCampaignCustomers(pool: Pool, tag: string, count: number, controls: number): Promise<CampaignCustomers> {
  const email = (i: string) => `'${tag}-' || ${i} || '@campaign.bench.invalid'`;
  await pool.query(
    `INSERT INTO users (id, email, full_name, role, locale, timezone, consent)
     SELECT bench_uuid('${tag}-' || i), ${email('i')}, 'Rahim Uddin ' || i, 'customer',
       (CASE WHEN i % 5 = 0 THEN 'en' ELSE 'bn' END)::user_locale, 'Asia/Dhaka',
       CASE WHEN i > $1::int AND i % 2 = 0 THEN '{"marketing": false}'::jsonb ELSE '{"marketing": true}'::jsonb END
     FROM generate_series(1, $1::int + $2::int) AS i`,
    [count, controls],
  );
  await pool.query(
    `INSERT INTO customers (id, typical_services, last_booking_at)
     SELECT bench_uuid('${tag}-' || i), ARRAY[s.ids[1 + i % s.n]],
       now() - CASE WHEN i > $1::int AND i % 2 = 1 THEN interval '5 days' ELSE interval '30 days' END
     FROM generate_series(1, $1::int + $2::int) AS i, ${SERVICES}`,
    [count, controls],
  );
  await pool.query(
    `INSERT INTO bookings (customer_id, service_id, status, scheduled_at, started_at, finished_at, total_price, rating)
     SELECT c.id, c.typical_services[1], 'COMPLETED', c.last_booking_at - interval '2 hours', c.last_booking_at - interval '1 hour', c.last_booking_at, 1500, 5
     FROM customers c JOIN users u ON u.id = c.id WHERE u.email LIKE $1`,
    [`${tag}-%`],
  );
  await pool.query('ANALYZE users, customers, bookings');
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, k) => `${tag}-${from + k}@campaign.bench.invalid`);
  return { tag, eligible: range(1, count), controls: range(count + 1, count + controls) };
}
