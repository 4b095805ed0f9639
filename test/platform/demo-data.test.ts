import { sql } from 'kysely';
import { scoreBurnout } from '../../src/coachnova/core/burnout-score';
import { coachingSettingsFromConfig } from '../../src/coachnova/settings';
import { loadWorkWindow } from '../../src/coachnova/work-history';
import { computeSignals } from '../../src/coachnova/core/work-window';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/db/database';
import { seedDemoDataIfEmpty } from '../../src/db/demo-data';
import { buildDemoData } from '../../src/db/demo/build';
import { SERVICE_CATEGORIES } from '../../src/db/types';
import { resolveCriteria } from '../../src/smartengage/criteria';
import { countSegment } from '../../src/smartengage/segment-query';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * What the demo data set holds, checked with SQL on a fresh PostgreSQL schema (pglite.test.ts
 * runs the same loader on PGlite): realistic, internally consistent, and shaped so that both
 * agents have work to show.
 */
let database: TestDatabase;
let db: Db;
const now = new Date();

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.drop();
});

/** Per worker, from the built rows as the SQL below reads them: hours finished in the last 7 days, Dhaka work days in the last 10. */
function workerShapes(at: Date) {
  const data = buildDemoData({ now: at });
  const weekAgo = at.getTime() - 7 * 86_400_000;
  const tenDaysAgo = at.getTime() - 10 * 86_400_000;
  const shapes = new Map(data.workers.map((w) => [w.id, { hours: 0, days: new Set<string>() }]));
  for (const b of data.bookings) {
    if (b.status !== 'COMPLETED' || !b.worker_id) continue;
    const shape = shapes.get(b.worker_id)!;
    const started = (b.started_at as Date).getTime();
    if (b.finished_at!.getTime() > weekAgo) shape.hours += (b.finished_at!.getTime() - started) / 3_600_000;
    if (started > tenDaysAgo) shape.days.add(new Date(started + 6 * 3_600_000).toISOString().slice(0, 10));
  }
  return [...shapes.values()].map((s) => ({ hours: s.hours, work_days: s.days.size }));
}

/** Overworked (> 60 h, no rest day in 10), stretched (48–60 h) and rested workers, in realistic numbers. */
function expectRiskBands<W extends { hours: number; work_days: number }>(workers: W[]) {
  const high = workers.filter((w) => w.hours > 60);
  const moderate = workers.filter((w) => w.hours > 48 && w.hours <= 60);
  const low = workers.filter((w) => w.hours <= 48);
  expect(high.length).toBeGreaterThanOrEqual(3);
  expect(moderate.length).toBeGreaterThanOrEqual(4);
  expect(low.length).toBeGreaterThan(15);
  for (const w of low) expect(w.hours).toBeGreaterThan(32);
  for (const w of high) expect(w.work_days).toBeGreaterThanOrEqual(10); // no rest day for well over 7 days
  for (const w of low) expect(w.work_days).toBeLessThan(10);
  return { high, low };
}

describe('the demo data builder', () => {
  // The set is built relative to its clock; CI runs at any hour, so the shapes must hold at every
  // instant: around midnight in Dhaka (18:00 UTC) and in UTC, and in the Dhaka evening (13:00 UTC),
  // where stretched workers once crossed 60 h.
  const instants = ['2026-12-03T17:59:00Z', '2026-12-03T18:01:00Z', '2026-12-03T23:59:00Z', '2026-12-04T00:01:00Z', '2026-12-04T13:00:00Z', '2026-12-06T13:20:00Z', '2026-12-05T06:40:00Z', '2026-12-07T09:00:00Z'];
  it.each(instants)('keeps every risk level apart when built at %s', (instant) => {
    expectRiskBands(workerShapes(new Date(instant)));
  });


  it('is reproducible: the same seed and clock give the same rows, ids included', () => {
    const a = buildDemoData({ now, seed: 7 });
    const b = buildDemoData({ now, seed: 7 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(buildDemoData({ now, seed: 8 }).users[5].email).not.toBe(a.users[5].email);
  });
});

describe('the demo data set', () => {
  let firstRun: Awaited<ReturnType<typeof seedDemoDataIfEmpty>>;

  beforeAll(async () => {
    firstRun = await seedDemoDataIfEmpty(db, undefined, { now });
  });

  it('loads once and is a no-op the second time', async () => {
    expect(firstRun.seeded).toBe(true);
    expect(firstRun.counts).toEqual({
      services: expect.any(Number),
      users: expect.any(Number),
      customers: 300,
      workers: 30,
      bookings: expect.any(Number),
    });
    expect(firstRun.counts.services).toBeGreaterThanOrEqual(25);
    expect(firstRun.counts.bookings).toBeGreaterThan(1000);

    const bookingsBefore = await db.selectFrom('bookings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const again = await seedDemoDataIfEmpty(db);
    expect(again.seeded).toBe(false);
    const bookingsAfter = await db.selectFrom('bookings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(bookingsAfter.n)).toBe(Number(bookingsBefore.n));
    expect(Number(bookingsAfter.n)).toBe(firstRun.counts.bookings);
  });

  it('has a bilingual catalogue in every category with taka prices and a few retired services', async () => {
    const services = await db.selectFrom('services').selectAll().execute();
    const activeCategories = new Set(services.filter((s) => s.is_active).map((s) => s.category));
    expect([...activeCategories].sort()).toEqual([...SERVICE_CATEGORIES].sort());
    expect(services.filter((s) => !s.is_active).length).toBeGreaterThanOrEqual(2);
    for (const s of services) {
      expect(s.name_bn).toMatch(/[\u0980-\u09FF]/);
      expect(Number(s.base_price)).toBeGreaterThanOrEqual(300);
    }
  });

  it('has customers who look Bangladeshi and can never be mailed for real', async () => {
    const customers = await db.selectFrom('users').selectAll().where('role', '=', 'customer').execute();
    expect(customers).toHaveLength(300);
    for (const c of customers) {
      expect(c.email).toMatch(/@(mail\.)?example\.(com|org|net)$/);
      expect(c.phone).toMatch(/^\+8801[3-9]\d{8}$/);
      expect(c.timezone).toBe('Asia/Dhaka');
    }
    const bengali = customers.filter((c) => c.locale === 'bn');
    expect(bengali.length / customers.length).toBeGreaterThan(0.6);
    expect(bengali.every((c) => /[\u0980-\u09FF]/.test(c.full_name))).toBe(true);
    const consenting = customers.filter((c) => c.consent.marketing === true).length;
    expect(consenting / customers.length).toBeGreaterThan(0.7);
    expect(customers.some((c) => c.consent.marketing === false)).toBe(true);
    expect(customers.some((c) => c.consent.marketing === undefined)).toBe(true);

    const operators = await db.selectFrom('users').select('email').where('role', '=', 'operator').execute();
    expect(operators.map((o) => o.email)).toContain('operator@shoktiai.local');
  });

  it("keeps customers' last_booking_at and typical_services consistent with their completed bookings", async () => {
    const mismatched = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM customers c
      LEFT JOIN LATERAL (
        SELECT max(finished_at) AS last FROM bookings b WHERE b.customer_id = c.id AND b.status = 'COMPLETED'
      ) agg ON true
      WHERE c.last_booking_at IS DISTINCT FROM agg.last`.execute(db);
    expect(mismatched.rows[0].n).toBe(0);

    const notFavourite = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM customers c
      WHERE cardinality(c.typical_services) > 0 AND (
        SELECT count(*) FROM bookings b WHERE b.customer_id = c.id AND b.status = 'COMPLETED' AND b.service_id = c.typical_services[1]
      ) < (
        SELECT max(k) FROM (SELECT count(*) AS k FROM bookings b WHERE b.customer_id = c.id AND b.status = 'COMPLETED' GROUP BY b.service_id) per_service
      )`.execute(db);
    expect(notFavourite.rows[0].n).toBe(0);
  });

  it('gives SmartEngage a good share of lapsed customers and leaves recent ones out', async () => {
    const criteria = resolveCriteria({}, loadConfig({}));
    const eligible = await countSegment(db, criteria, now);
    const lapsed = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM customers
      WHERE last_booking_at BETWEEN ${new Date(now.getTime() - 60 * 86_400_000)} AND ${new Date(now.getTime() - 21 * 86_400_000)}`.execute(db);
    const recent = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM customers WHERE last_booking_at > ${new Date(now.getTime() - 21 * 86_400_000)}`.execute(db);
    expect(lapsed.rows[0].n).toBeGreaterThan(90);
    expect(recent.rows[0].n).toBeGreaterThan(60);
    expect(eligible).toBeGreaterThan(80);
    expect(eligible).toBeLessThan(300 - recent.rows[0].n);
  });

  it("shapes workers' last weeks so that every burnout risk level shows", async () => {
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    const rows = await sql<{ worker_id: string; hours: number; late_night: number; avg_rating: number | null; recent_rating: number | null; work_days: number; complaints: number }>`
      SELECT w.id AS worker_id,
        coalesce(sum(extract(epoch FROM b.finished_at - b.started_at) / 3600) FILTER (WHERE b.finished_at > ${weekAgo}), 0)::float AS hours,
        count(*) FILTER (WHERE b.finished_at > ${weekAgo} AND extract(hour FROM b.finished_at AT TIME ZONE 'Asia/Dhaka') >= 22)::int AS late_night,
        avg(b.rating) FILTER (WHERE b.finished_at > ${weekAgo})::float AS avg_rating,
        (SELECT avg(r.rating) FROM (SELECT b2.rating FROM bookings b2 WHERE b2.worker_id = w.id AND b2.status = 'COMPLETED' AND b2.rating IS NOT NULL
           ORDER BY b2.finished_at DESC LIMIT 5) r)::float AS recent_rating,
        count(DISTINCT (b.started_at AT TIME ZONE 'Asia/Dhaka')::date) FILTER (WHERE b.started_at > ${new Date(now.getTime() - 10 * 86_400_000)})::int AS work_days,
        count(*) FILTER (WHERE b.feedback ILIKE '%complaint%' OR b.feedback LIKE '%অভিযোগ%')::int AS complaints
      FROM workers w LEFT JOIN bookings b ON b.worker_id = w.id AND b.status = 'COMPLETED'
      GROUP BY w.id`.execute(db);
    const workers = rows.rows;
    expect(workers).toHaveLength(30);
    const { high, low } = expectRiskBands(workers);
    for (const w of high) {
      expect(w.late_night).toBeGreaterThan(0);
      expect(w.complaints).toBeGreaterThan(0);
    }
    const meanLowRating = low.reduce((s, w) => s + (w.avg_rating ?? 5), 0) / low.length;
    expect(meanLowRating).toBeGreaterThan(4.2);
    // what the data promises is the trend CoachNova reads (the latest five ratings), not a
    // calendar week's average, which takes in more or fewer older, better jobs by the hour
    for (const w of high) expect(w.recent_rating!).toBeLessThan(meanLowRating - 0.5);

    const supervised = await db.selectFrom('workers').select(['skills', 'supervisor_email']).execute();
    expect(supervised.every((w) => w.skills.length > 0 && w.supervisor_email)).toBe(true);
  });

  it("puts workers at every risk level by CoachNova's own score, most of them LOW", async () => {
    const settings = coachingSettingsFromConfig(loadConfig({}));
    const since = new Date(now.getTime() - settings.windowDays * 86_400_000);
    const workers = await db.selectFrom('workers').select('id').execute();
    const levels: Record<string, number> = { LOW: 0, MODERATE: 0, HIGH: 0 };
    for (const { id } of workers) {
      const window = await loadWorkWindow(db, id, since, settings.maxJobs);
      const signals = computeSignals(window, now, {
        timeZone: 'Asia/Dhaka',
        lateNightStart: settings.lateNightStart,
        lateNightEnd: settings.lateNightEnd,
        ratingSample: settings.ratingTrendSample,
      });
      levels[scoreBurnout(signals, settings.policy).level]++;
    }
    expect(levels.HIGH).toBeGreaterThanOrEqual(3);
    expect(levels.MODERATE).toBeGreaterThanOrEqual(3);
    expect(levels.LOW).toBeGreaterThan(levels.MODERATE + levels.HIGH);
  });
});
