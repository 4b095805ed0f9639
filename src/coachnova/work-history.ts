import { usableTimeZone } from '../core/local-time';
import type { Db } from '../db/database';
import { jobFromBooking } from './jobs-from-bookings';
import { emptyWindow, type WorkWindow } from './core/work-window';

/**
 * A worker's recent completed bookings as a work window: what a new session starts from, and
 * what the state endpoint scores when no session runs. Cancellations and check-ins are not in
 * the bookings table (it does not say who cancelled), so only a session knows those.
 */
export async function loadWorkWindow(db: Db, workerId: string, since: Date, maxJobs: number): Promise<WorkWindow> {
  const rows = await db
    .selectFrom('bookings')
    .select(['id', 'scheduled_at', 'started_at', 'finished_at', 'rating', 'feedback', 'minutes_late'])
    .where('worker_id', '=', workerId)
    .where('status', '=', 'COMPLETED')
    .where('finished_at', '>=', since)
    .orderBy('finished_at', 'desc')
    .limit(maxJobs)
    .execute();
  const jobs = rows
    .filter((r): r is typeof r & { finished_at: Date } => r.finished_at !== null)
    .map(jobFromBooking)
    .reverse();
  return { ...emptyWindow(), jobs };
}

export interface WorkerProfile {
  firstName: string;
  locale: 'bn' | 'en';
  timezone: string;
  /** Whether the worker has an email address (the address itself never enters a workflow). */
  hasEmail: boolean;
}

export async function loadWorkerProfile(db: Db, workerId: string): Promise<WorkerProfile | null> {
  const row = await db
    .selectFrom('workers')
    .innerJoin('users', 'users.id', 'workers.id')
    .select(['users.full_name', 'users.locale', 'users.timezone', 'users.email'])
    .where('workers.id', '=', workerId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    firstName: row.full_name.trim().split(/\s+/)[0] ?? row.full_name,
    locale: row.locale,
    timezone: usableTimeZone(row.timezone),
    hasEmail: !!row.email,
  };
}
