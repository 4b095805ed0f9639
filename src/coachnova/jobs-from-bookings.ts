import { complaintKeywords } from './core/complaints';
import type { JobRecord } from './core/work-window';

/** The booking columns a job record is made from. */
export interface CompletedBookingRow {
  id: string;
  scheduled_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string;
  rating: number | null;
  feedback: string | null;
  minutes_late: number | null;
}

/** A booking's scheduled start stands in for a missing start only when it is plausibly the job's. */
const MAX_JOB_HOURS = 16;

const iso = (t: Date | string) => new Date(t).toISOString();

/**
 * The job start: `started_at`, else `scheduled_at` when it precedes the finish by at most
 * MAX_JOB_HOURS (apps that never report a start still count hours), else unknown.
 */
export function jobStart(row: Pick<CompletedBookingRow, 'scheduled_at' | 'started_at' | 'finished_at'>): string | null {
  if (row.started_at) return iso(row.started_at);
  const scheduled = new Date(row.scheduled_at).getTime();
  const finished = new Date(row.finished_at).getTime();
  return scheduled < finished && finished - scheduled <= MAX_JOB_HOURS * 3_600_000 ? iso(row.scheduled_at) : null;
}

export function jobFromBooking(row: CompletedBookingRow): JobRecord {
  return {
    bookingId: row.id,
    startedAt: jobStart(row),
    finishedAt: iso(row.finished_at),
    rating: row.rating,
    complaint: complaintKeywords(row.feedback).length > 0,
    minutesLate: row.minutes_late,
  };
}
