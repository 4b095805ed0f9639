import type { Insertable } from 'kysely';
import type { BookingsTable, BookingStatus } from '../types';
import { addMinutes, DAY_MS, dhakaMidnight } from './clock';
import type { DemoCustomer } from './customers';
import { feedbackFor } from './feedback';
import { WeightedTable, type DemoRandom } from './random';
import type { DemoService, DemoWorker, WorkerJob } from './workers';

export type DemoBooking = Insertable<BookingsTable> & {
  id: string;
  status: BookingStatus;
  scheduled_at: Date;
  finished_at: Date | null;
  created_at: Date;
};

/** How far back the history goes (the segment's default look-back is 180 days). */
const HISTORY_DAYS = 178;

/** Days ago of a customer's latest booking before the recent fortnight, by profile. */
const LAST_HISTORY_DAYS: Record<Exclude<DemoCustomer['profile'], 'new'>, readonly [number, number]> = {
  lapsed: [22, 60],
  dormant: [61, 150],
  active: [14, 50],
};

interface Context {
  random: DemoRandom;
  now: Date;
  workersBySkill: Map<string, DemoWorker[]>;
}

const price = (random: DemoRandom, service: DemoService) => Math.round((service.base_price * random.between(0.9, 1.35)) / 10) * 10;

/** Local hours at which customers habitually book (after work, lunch break, late evening …). */
const HABIT_HOURS = [18, 19, 19, 20, 21, 9, 13, 22];

/**
 * Most customers book at a habitual hour of the day (derived from their id, so no extra random
 * draw shifts the rest of the demo): SmartEngage's `send_time: "personal"` finds it.
 */
function habitualBookingTime(customerId: string, bookedAt: Date, latest: number, fraction: number): Date {
  if (fraction >= 0.7) return bookedAt;
  const hour = HABIT_HOURS[parseInt(customerId.slice(0, 2), 16) % HABIT_HOURS.length];
  const day = dhakaMidnight(bookedAt, 0);
  let at = addMinutes(day, hour * 60 + Math.floor(fraction * 80));
  while (at.getTime() > latest) at = new Date(at.getTime() - DAY_MS);
  return at;
}

function booking(ctx: Context, fields: Omit<DemoBooking, 'id' | 'created_at' | 'updated_at'>): DemoBooking {
  const { random, now } = ctx;
  const ahead = random.between(0.3, 4);
  const latest = Math.min(fields.scheduled_at.getTime() - 0.3 * DAY_MS, now.getTime());
  const bookedAt = habitualBookingTime(String(fields.customer_id), new Date(Math.min(fields.scheduled_at.getTime() - ahead * DAY_MS, now.getTime())), latest, ahead - Math.floor(ahead));
  return { id: random.uuid(), ...fields, created_at: bookedAt, updated_at: fields.finished_at ?? bookedAt };
}

function workerFor(ctx: Context, service: DemoService): DemoWorker | null {
  const able = ctx.workersBySkill.get(service.category) ?? [];
  return able.length ? ctx.random.pick(able) : null;
}

/** A customer's bookings before the recent fortnight, every `cadence` days or so back to six months ago. */
function history(ctx: Context, customer: DemoCustomer, catalogue: WeightedTable<DemoService>): DemoBooking[] {
  if (customer.profile === 'new') return [];
  const { random } = ctx;
  const [from, to] = LAST_HISTORY_DAYS[customer.profile];
  const bookings: DemoBooking[] = [];
  for (let daysAgo = random.int(from, to), latest = true; daysAgo <= HISTORY_DAYS; daysAgo += customer.cadence_days + random.int(-4, 7), latest = false) {
    const service = random.chance(0.65) ? customer.favourite : catalogue.pick(random);
    const start = addMinutes(dhakaMidnight(ctx.now, -daysAgo), random.int(9 * 60, 17 * 60));
    const worker = workerFor(ctx, service);
    // the latest booking stays completed so the profile's "last booked" holds
    const cancelled = !latest && random.chance(0.06);
    const minutes = Math.round(service.typical_minutes * random.between(0.85, 1.2));
    const rating = cancelled || random.chance(0.15) ? null : random.weighted([[5, 55], [4, 35], [3, 8], [2, 2]]);
    bookings.push(
      booking(ctx, {
        customer_id: customer.id,
        service_id: service.id,
        worker_id: worker?.id ?? null,
        status: cancelled ? 'CANCELLED' : 'COMPLETED',
        scheduled_at: start,
        started_at: cancelled ? null : start,
        finished_at: cancelled ? null : addMinutes(start, minutes),
        total_price: cancelled ? 0 : price(random, service),
        rating,
        feedback: feedbackFor(random, rating),
        minutes_late: cancelled ? null : 0,
      }),
    );
  }
  return bookings;
}

/** A worker's recent job as the booking it is, its status following where it stands against `now`. */
function fromJob(ctx: Context, job: WorkerJob, customer: DemoCustomer): DemoBooking {
  const { now, random } = ctx;
  const base = { customer_id: customer.id, service_id: job.service.id, worker_id: job.worker_id, scheduled_at: job.scheduled_at };
  const status: BookingStatus = job.cancelled
    ? 'CANCELLED'
    : job.finished_at <= now
      ? 'COMPLETED'
      : job.started_at <= now
        ? 'IN_PROGRESS'
        : 'CONFIRMED';
  if (status === 'COMPLETED') {
    return booking(ctx, {
      ...base,
      status,
      started_at: job.started_at,
      finished_at: job.finished_at,
      total_price: price(random, job.service),
      rating: job.rating,
      feedback: job.feedback,
      minutes_late: job.minutes_late,
    });
  }
  const started = status === 'IN_PROGRESS';
  return booking(ctx, {
    ...base,
    status,
    started_at: started ? job.started_at : null,
    finished_at: null,
    total_price: job.service.base_price,
    rating: null,
    feedback: null,
    minutes_late: started ? job.minutes_late : null,
  });
}

/** Some active customers have already booked their next job. */
function upcoming(ctx: Context, customer: DemoCustomer): DemoBooking | null {
  const { random, now } = ctx;
  const roll = random.next();
  if (roll > 0.16) return null;
  const service = customer.favourite;
  const worker = roll < 0.12 ? workerFor(ctx, service) : null;
  return booking(ctx, {
    customer_id: customer.id,
    service_id: service.id,
    worker_id: worker?.id ?? null,
    status: worker ? 'CONFIRMED' : 'PENDING',
    scheduled_at: addMinutes(dhakaMidnight(now, random.int(1, 6)), random.int(10 * 60, 16 * 60)),
    started_at: null,
    finished_at: null,
    total_price: service.base_price,
    rating: null,
    feedback: null,
    minutes_late: null,
  });
}

/**
 * Every booking: each customer's history, the workers' recent jobs given to active customers
 * (some households book far more than others), and a few upcoming ones.
 */
export function buildBookings(
  random: DemoRandom,
  now: Date,
  customers: DemoCustomer[],
  workers: DemoWorker[],
  services: DemoService[],
  recentJobs: WorkerJob[],
): DemoBooking[] {
  const workersBySkill = new Map<string, DemoWorker[]>();
  for (const w of workers) for (const skill of w.skills) workersBySkill.set(skill, [...(workersBySkill.get(skill) ?? []), w]);
  const ctx: Context = { random, now, workersBySkill };
  const catalogue = new WeightedTable(
    services,
    services.map((s) => s.popularity),
  );

  const bookings = customers.flatMap((c) => history(ctx, c, catalogue));
  const active = customers.filter((c) => c.profile === 'active' && c.is_active);
  const recentCustomers = new WeightedTable(
    active,
    active.map((c) => c.recent_weight),
  );
  for (const job of recentJobs) bookings.push(fromJob(ctx, job, recentCustomers.pick(random)));
  for (const customer of active) {
    const next = upcoming(ctx, customer);
    if (next) bookings.push(next);
  }
  return bookings;
}
