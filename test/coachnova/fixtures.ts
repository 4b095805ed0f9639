import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database';
import type { TestSystem } from '../helpers/system';
import { getJson, postJson } from '../helpers/http';

/** Test data and helpers for the CoachNova suites; every id is fresh, so tests never share rows. */

export const API_KEY = { 'x-api-key': 'test-internal-api-key-0123456789' };
export const DHAKA = 'Asia/Dhaka';

const HOUR = 3_600_000;

/** Quiet hours that do not contain now (Dhaka time), so tips go out at once. */
export function quietHoursAwayFromNow(now = new Date()): { CN_QUIET_HOURS_START: string; CN_QUIET_HOURS_END: string } {
  const hhmm = (d: Date) => d.toLocaleTimeString('en-GB', { timeZone: DHAKA, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return { CN_QUIET_HOURS_START: hhmm(new Date(now.getTime() + 6 * HOUR)), CN_QUIET_HOURS_END: hhmm(new Date(now.getTime() + 7 * HOUR)) };
}

export interface Fixture {
  serviceId: string;
  customerId: string;
}

export async function createServiceAndCustomer(db: Db): Promise<Fixture> {
  const service = await db
    .insertInto('services')
    .values({ name: 'AC Repair', name_bn: 'এসি মেরামত', category: 'AC_REPAIR', base_price: 1500 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const customer = await db
    .insertInto('users')
    .values({ email: `customer-${randomUUID()}@example.com`, full_name: 'Karim Customer', role: 'customer' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('customers').values({ id: customer.id }).execute();
  return { serviceId: service.id, customerId: customer.id };
}

export interface WorkerOptions {
  locale?: 'bn' | 'en';
  name?: string;
  supervisorEmail?: string | null;
}

export async function createWorker(db: Db, options: WorkerOptions = {}): Promise<{ id: string; email: string }> {
  const email = `worker-${randomUUID()}@example.com`;
  const user = await db
    .insertInto('users')
    .values({ email, full_name: options.name ?? 'Rahim Uddin', role: 'worker', locale: options.locale ?? 'bn', timezone: DHAKA })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('workers')
    .values({ id: user.id, skills: ['AC_REPAIR'], supervisor_email: options.supervisorEmail === undefined ? `supervisor-${randomUUID()}@example.com` : options.supervisorEmail })
    .execute();
  return { id: user.id, email };
}

/** A booking assigned to the worker, confirmed (not yet completed). */
export async function createBooking(db: Db, fixture: Fixture, workerId: string, scheduledAt = new Date(Date.now() - 2 * HOUR)): Promise<string> {
  const row = await db
    .insertInto('bookings')
    .values({ customer_id: fixture.customerId, service_id: fixture.serviceId, worker_id: workerId, status: 'CONFIRMED', scheduled_at: scheduledAt, total_price: 1500 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface JobEvent {
  booking_id?: string;
  rating?: number;
  feedback?: string;
  started_at?: string;
  finished_at?: string;
  minutes_late?: number;
}

export async function postJobCompleted(system: TestSystem, workerId: string, job: JobEvent) {
  return postJson(`${system.baseUrl}/internal/ai/coachnova/events`, { type: 'job_completed', worker_id: workerId, booking_id: randomUUID(), ...job }, API_KEY);
}

export async function getWorkerState(system: TestSystem, workerId: string) {
  return getJson(`${system.baseUrl}/internal/ai/coachnova/workers/${workerId}`, API_KEY);
}

export async function coachnovaMessages(db: Db, workerId: string) {
  return db.selectFrom('ai_messages').selectAll().where('user_id', '=', workerId).orderBy('created_at').execute();
}

/** A job of `hours` ending `endHoursAgo` hours ago. */
export function jobAt(endHoursAgo: number, hours: number, extra: JobEvent = {}): JobEvent {
  const finished = Date.now() - endHoursAgo * HOUR;
  return { started_at: new Date(finished - hours * HOUR).toISOString(), finished_at: new Date(finished).toISOString(), rating: 5, ...extra };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
