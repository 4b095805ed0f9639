import type { Pool } from 'pg';

export interface CoachnovaWorkers {
  workerIds: string[];
  /** One completed booking per event, event i done by worker i % workers. */
  bookingIds: string[];
}

/**
 * `workers` service professionals (Bengali, Asia/Dhaka, with an email and a supervisor) and one
 * completed booking for each event the scenario will send, each by the worker who gets the event.
 * `prefix` names a second, separate group (ids and addresses derive from it).
 */
export async function seedCoachnovaWorkers(pool: Pool, workers: number, events: number, prefix = 'cn'): Promise<CoachnovaWorkers> {
  await pool.query(
    `INSERT INTO users (id, email, full_name, role, locale, timezone, consent)
     SELECT bench_uuid($2 || '-worker-' || i), $2 || '-worker-' || i || '@workers.bench.invalid', 'Karim Mia ' || i, 'worker', 'bn', 'Asia/Dhaka', '{}'::jsonb
     FROM generate_series(0, $1 - 1) AS i`,
    [workers, prefix],
  );
  await pool.query(
    `INSERT INTO workers (id, skills, supervisor_email)
     SELECT bench_uuid($2 || '-worker-' || i), '{CLEANING}', 'supervisor@workers.bench.invalid' FROM generate_series(0, $1 - 1) AS i`,
    [workers, prefix],
  );
  await pool.query(
    `INSERT INTO users (id, email, full_name, role, consent) VALUES (bench_uuid($1 || '-customer'), $1 || '-customer@workers.bench.invalid', 'Nusrat Jahan', 'customer', '{}'::jsonb)`,
    [prefix],
  );
  await pool.query(`INSERT INTO customers (id) VALUES (bench_uuid($1 || '-customer'))`, [prefix]);
  await pool.query(
    `INSERT INTO bookings (id, customer_id, service_id, worker_id, status, scheduled_at, started_at, finished_at, total_price)
     SELECT bench_uuid($3 || '-booking-' || e), bench_uuid($3 || '-customer'), s.id, bench_uuid($3 || '-worker-' || (e % $1)), 'COMPLETED',
       now() - interval '3 hours', now() - interval '2 hours', now() - interval '1 hour', 1500
     FROM generate_series(0, $2 - 1) AS e, (SELECT id FROM services WHERE is_active ORDER BY name LIMIT 1) AS s`,
    [workers, events, prefix],
  );
  const ids = await pool.query<{ w: string[]; b: string[] }>(
    `SELECT (SELECT array_agg(bench_uuid($3 || '-worker-' || i)::text ORDER BY i) FROM generate_series(0, $1 - 1) AS i) AS w,
            (SELECT array_agg(bench_uuid($3 || '-booking-' || e)::text ORDER BY e) FROM generate_series(0, $2 - 1) AS e) AS b`,
    [workers, events, prefix],
  );
  return { workerIds: ids.rows[0].w, bookingIds: ids.rows[0].b };
}
