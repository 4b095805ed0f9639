import type { Insertable } from 'kysely';
import type { CustomersTable, ServicesTable, UsersTable, WorkersTable } from '../types';
import { buildBookings, type DemoBooking } from './bookings';
import { DEMO_CATALOGUE } from './catalogue';
import { DAY_MS, daysBefore } from './clock';
import { buildCustomers, type DemoCustomer } from './customers';
import { DemoRandom } from './random';
import { buildRecentJobs, buildWorkers, type DemoService, type DemoWorker } from './workers';

export interface DemoDataOptions {
  /** The same seed and `now` give the same rows, ids included. */
  seed?: number;
  now?: Date;
  customers?: number;
  workers?: number;
}

export const DEFAULT_DEMO_SEED = 20_240_601;

type Row<T> = Insertable<T> & { id: string };

export interface DemoData {
  services: Row<ServicesTable>[];
  users: Row<UsersTable>[];
  customers: Row<CustomersTable>[];
  workers: Row<WorkersTable>[];
  bookings: DemoBooking[];
}

/** Operators who log in to the back office with an emailed code. */
const OPERATORS = [
  { email: 'operator@shoktiai.local', full_name: 'ShoktiAI Operator', locale: 'en' as const },
  { email: 'ops.lead@shoktiai.local', full_name: 'নাসরিন আক্তার', locale: 'bn' as const },
];

/** Derived, as the booking flow keeps them: the latest completed job and the most booked services. */
function customerRow(customer: DemoCustomer, own: DemoBooking[]): Row<CustomersTable> {
  const completed = own.filter((b) => b.status === 'COMPLETED' && b.finished_at);
  const last = completed.reduce<Date | null>((max, b) => (!max || b.finished_at! > max ? b.finished_at! : max), null);
  const tally = new Map<string, { count: number; latest: number }>();
  for (const b of completed) {
    const t = tally.get(b.service_id) ?? { count: 0, latest: 0 };
    tally.set(b.service_id, { count: t.count + 1, latest: Math.max(t.latest, b.finished_at!.getTime()) });
  }
  const typical = [...tally.entries()]
    .sort(([, a], [, b]) => b.count - a.count || b.latest - a.latest)
    .slice(0, 3)
    .map(([id]) => id);
  return { id: customer.id, last_booking_at: last, typical_services: typical };
}

function customerUser(random: DemoRandom, now: Date, customer: DemoCustomer, own: DemoBooking[]): Row<UsersTable> {
  const first = own.reduce((min, b) => Math.min(min, b.created_at.getTime()), now.getTime());
  const signedUp = own.length ? new Date(first - random.int(3, 120) * DAY_MS) : daysBefore(now, random.int(1, 30));
  const { id, email, phone, full_name, locale, consent, is_active } = customer;
  return { id, email, phone, full_name, role: 'customer', locale, timezone: 'Asia/Dhaka', consent, is_active, created_at: signedUp, updated_at: signedUp };
}

function workerUser(worker: DemoWorker): Row<UsersTable> {
  const { id, email, phone, full_name, locale, created_at } = worker;
  return { id, email, phone, full_name, role: 'worker', locale, timezone: 'Asia/Dhaka', consent: {}, created_at, updated_at: created_at };
}

/**
 * The whole demo data set, built in memory from a seeded generator: a catalogue, workers whose
 * recent weeks show each burnout risk level, customers of every standing with six months of
 * bookings, and two operators.
 */
export function buildDemoData(options: DemoDataOptions = {}): DemoData {
  const random = new DemoRandom(options.seed ?? DEFAULT_DEMO_SEED);
  const now = options.now ?? new Date();
  const services: DemoService[] = DEMO_CATALOGUE.map((entry) => ({ ...entry, id: random.uuid() }));
  const workers = buildWorkers(random, now, options.workers ?? 30);
  const recentJobs = buildRecentJobs(random, now, workers, services);
  const customers = buildCustomers(random, options.customers ?? 300, services);
  const bookings = buildBookings(random, now, customers, workers, services, recentJobs);

  const byCustomer = new Map<string, DemoBooking[]>(customers.map((c) => [c.id, []]));
  for (const b of bookings) byCustomer.get(b.customer_id)!.push(b);

  const operators: Row<UsersTable>[] = OPERATORS.map((o) => ({
    id: random.uuid(),
    ...o,
    role: 'operator',
    timezone: 'Asia/Dhaka',
    consent: {},
  }));
  return {
    services: services.map(({ id, name, name_bn, description, category, base_price, is_active }) => ({ id, name, name_bn, description, category, base_price, is_active })),
    users: [
      ...operators,
      ...workers.map(workerUser),
      ...customers.map((c) => customerUser(random, now, c, byCustomer.get(c.id)!)),
    ],
    customers: customers.map((c) => customerRow(c, byCustomer.get(c.id)!)),
    workers: workers.map(({ id, skills, supervisor_email }) => ({ id, skills, supervisor_email })),
    bookings,
  };
}
