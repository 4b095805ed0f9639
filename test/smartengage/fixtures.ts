import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database';
import type { Consent, Locale } from '../../src/db/types';
import { signAccessToken } from '../../src/auth/jwt';
import type { TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { getJson, postJson } from '../helpers/http';

const DAY_MS = 86_400_000;
export const API_KEY = { 'x-api-key': 'test-internal-api-key-0123456789' };

/** Everything SmartEngage needs to run in tests in seconds: any-time send window, short retries and windows. */
export function smartEngageEnv(openAiBaseUrl?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(openAiBaseUrl ? { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: openAiBaseUrl } : {}),
    SE_SEND_WINDOW_START: '00:00',
    SE_SEND_WINDOW_END: '00:00',
    SE_ATTRIBUTION_WINDOW_SECONDS: '3',
    SE_ACTIVITY_RETRY_INITIAL_MS: '100',
    SE_ACTIVITY_MAX_ATTEMPTS: '3',
    APP_BASE_URL: 'https://app.example.test',
    ...extra,
  };
}

export async function createService(db: Db, overrides: { name?: string; name_bn?: string; is_active?: boolean } = {}): Promise<string> {
  const row = await db
    .insertInto('services')
    .values({
      name: overrides.name ?? 'AC Servicing',
      name_bn: overrides.name_bn ?? 'এসি সার্ভিসিং',
      category: 'AC_REPAIR',
      base_price: 1500,
      is_active: overrides.is_active ?? true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface CustomerSpec {
  name?: string;
  locale?: Locale;
  timezone?: string;
  consent?: Consent;
  /** Days since the last completed booking (default 30: past the 21-day cadence). */
  lastBookingDaysAgo?: number;
  serviceId: string;
  completedBookings?: number;
}

/** A customer with completed bookings of one service, the last one `lastBookingDaysAgo` days ago. */
export async function createCustomer(db: Db, spec: CustomerSpec): Promise<{ id: string; email: string }> {
  const email = `c-${randomUUID()}@example.test`;
  const user = await db
    .insertInto('users')
    .values({
      email,
      full_name: spec.name ?? 'Rahim Uddin',
      role: 'customer',
      locale: spec.locale ?? 'bn',
      timezone: spec.timezone ?? 'Asia/Dhaka',
      consent: JSON.stringify(spec.consent ?? { marketing: true }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const last = new Date(Date.now() - (spec.lastBookingDaysAgo ?? 30) * DAY_MS);
  await db.insertInto('customers').values({ id: user.id, last_booking_at: last, typical_services: [spec.serviceId] }).execute();
  const n = spec.completedBookings ?? 2;
  for (let i = 0; i < n; i++) {
    const finished = new Date(last.getTime() - i * 30 * DAY_MS);
    await db
      .insertInto('bookings')
      .values({ customer_id: user.id, service_id: spec.serviceId, status: 'COMPLETED', scheduled_at: finished, started_at: finished, finished_at: finished, total_price: 1500, rating: 5 })
      .execute();
  }
  return { id: user.id, email };
}

export async function customerToken(system: TestSystem, customer: { id: string; email: string }): Promise<string> {
  return signAccessToken({ sub: customer.id, role: 'customer', email: customer.email }, system.config, 3600);
}

export async function runSegment(system: TestSystem, body: unknown, headers: Record<string, string> = {}) {
  return postJson(`${system.baseUrl}/internal/ai/smartengage/run-segment`, body, { ...API_KEY, ...headers });
}

export async function getJob(system: TestSystem, jobId: string) {
  return getJson(`${system.baseUrl}/internal/ai/smartengage/jobs/${jobId}`, API_KEY);
}

/** Waits for the campaign to finish and returns its final job status. */
export async function waitForJob(system: TestSystem, jobId: string, timeoutMs = 45_000) {
  return eventually(async () => {
    const job = await getJob(system, jobId);
    return job.body.status === 'COMPLETED' || job.body.status === 'FAILED' ? job.body : null;
  }, timeoutMs, 250);
}

export async function messagesOf(db: Db, customerId: string) {
  return db.selectFrom('ai_messages').selectAll().where('user_id', '=', customerId).orderBy('created_at').execute();
}

/** The `/l/<token>` path of a tracked link, to call it on the test server's own port. */
export function linkPath(deepLink: string): string {
  return new URL(deepLink).pathname;
}

export function tokenOf(deepLink: string): string {
  return linkPath(deepLink).split('/').pop()!;
}

export const bengali = /[\u0980-\u09FF]/;
