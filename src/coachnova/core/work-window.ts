import type { BurnoutSignals } from './burnout-score';
import { clockMinutes, inDailyWindow, localMoment, previousDate } from '../../core/local-time';

/**
 * A worker's recent work, bounded in time and size, and the rolling signals derived from it.
 * Pure: the session workflow keeps a window in its state (carried across continue-as-new) and
 * the API builds one from bookings when no session runs; both score it the same way.
 */

export interface JobRecord {
  bookingId: string;
  /** ISO; null when the job's start is unknown (its hours then count as zero). */
  startedAt: string | null;
  finishedAt: string;
  rating: number | null;
  /** A complaint was spotted in the feedback (see complaints.ts); the text itself is not kept. */
  complaint: boolean;
  minutesLate: number | null;
}

export interface CancellationRecord {
  bookingId: string;
  at: string;
}

export interface CheckInRecord {
  score: number;
  at: string;
}

export interface WorkWindow {
  jobs: JobRecord[];
  cancellations: CancellationRecord[];
  checkIns: CheckInRecord[];
}

export interface WindowLimits {
  /** Records older than this are dropped (must cover the 7-day signals and the rating trend). */
  windowDays: number;
  /** At most this many jobs are kept (newest first). */
  maxJobs: number;
}

export interface SignalOptions {
  timeZone: string;
  /** A job finishing (or starting) inside this local window counts as a late-night job. */
  lateNightStart: string;
  lateNightEnd: string;
  /** Ratings per side of the trend comparison: the latest N against the N before them. */
  ratingSample: number;
}

export const emptyWindow = (): WorkWindow => ({ jobs: [], cancellations: [], checkIns: [] });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const byFinish = (a: JobRecord, b: JobRecord) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt);

/** Adds a job or replaces the one with the same booking id (a repeated event changes nothing). */
export function withJob(window: WorkWindow, job: JobRecord): WorkWindow {
  const jobs = window.jobs.filter((j) => j.bookingId !== job.bookingId);
  jobs.push(job);
  jobs.sort(byFinish);
  return { ...window, jobs };
}

export function withCancellation(window: WorkWindow, cancellation: CancellationRecord): WorkWindow {
  if (window.cancellations.some((c) => c.bookingId === cancellation.bookingId)) return window;
  return { ...window, cancellations: [...window.cancellations, cancellation] };
}

export function withCheckIn(window: WorkWindow, checkIn: CheckInRecord): WorkWindow {
  return { ...window, checkIns: [...window.checkIns, checkIn] };
}

/** Drops what is older than the window or beyond its size, so state stays small forever. */
export function pruneWindow(window: WorkWindow, now: Date, limits: WindowLimits): WorkWindow {
  const cutoff = now.getTime() - limits.windowDays * DAY;
  const recent = <T>(items: T[], at: (t: T) => string) => items.filter((i) => Date.parse(at(i)) >= cutoff);
  return {
    jobs: recent(window.jobs, (j) => j.finishedAt).slice(-limits.maxJobs),
    cancellations: recent(window.cancellations, (c) => c.at).slice(-limits.maxJobs),
    checkIns: recent(window.checkIns, (c) => c.at).slice(-20),
  };
}

/** Hours of a job that fall inside (from, to]. */
function hoursWithin(job: JobRecord, from: number, to: number): number {
  if (!job.startedAt) return 0;
  const start = Math.max(Date.parse(job.startedAt), from);
  const end = Math.min(Date.parse(job.finishedAt), to);
  return end > start ? (end - start) / HOUR : 0;
}

/**
 * Working days in a row ending today or yesterday (local dates); a day without jobs breaks it.
 * A job belongs to the day it started (a night job past midnight is one working day, not two).
 */
function consecutiveWorkingDays(jobs: JobRecord[], now: Date, timeZone: string): number {
  const days = new Set(jobs.map((job) => localMoment(new Date(job.startedAt ?? job.finishedAt), timeZone).date));
  const today = localMoment(now, timeZone).date;
  let day = days.has(today) ? today : previousDate(today);
  let streak = 0;
  while (days.has(day)) {
    streak++;
    day = previousDate(day);
  }
  return streak;
}

function isLateNight(job: JobRecord, options: SignalOptions): boolean {
  const start = clockMinutes(options.lateNightStart);
  const end = clockMinutes(options.lateNightEnd);
  const times = [job.finishedAt, job.startedAt].filter((t): t is string => !!t);
  return times.some((t) => inDailyWindow(localMoment(new Date(t), options.timeZone).minutes, start, end));
}

const average = (values: number[]) => Math.round((values.reduce((s, v) => s + v, 0) / values.length) * 100) / 100;

/** The latest `sample` ratings against the `sample` before them; null until both sides have 2+. */
function ratingTrend(jobs: JobRecord[], sample: number): { recent: number | null; previous: number | null } {
  const ratings = jobs.filter((j) => j.rating !== null).map((j) => j.rating as number);
  const recent = ratings.slice(-sample);
  const previous = ratings.slice(-2 * sample, -sample);
  if (recent.length < 2 || previous.length < 2) return { recent: null, previous: null };
  return { recent: average(recent), previous: average(previous) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function computeSignals(window: WorkWindow, now: Date, options: SignalOptions): BurnoutSignals {
  const t = now.getTime();
  // Records stamped slightly after `now` (the caller's clock runs ahead) still count.
  const jobs = [...window.jobs].sort(byFinish);
  const lastWeek = jobs.filter((j) => Date.parse(j.finishedAt) > t - 7 * DAY);
  const trend = ratingTrend(jobs, options.ratingSample);
  const checkIn = window.checkIns.filter((c) => Date.parse(c.at) > t - 7 * DAY).at(-1);
  return {
    hoursLast24h: round2(jobs.reduce((sum, j) => sum + hoursWithin(j, t - DAY, t), 0)),
    hoursLast7d: round2(jobs.reduce((sum, j) => sum + hoursWithin(j, t - 7 * DAY, t), 0)),
    consecutiveWorkingDays: consecutiveWorkingDays(jobs, now, options.timeZone),
    lateNightJobs7d: lastWeek.filter((j) => isLateNight(j, options)).length,
    recentAvgRating: trend.recent,
    previousAvgRating: trend.previous,
    cancellations7d: window.cancellations.filter((c) => Date.parse(c.at) > t - 7 * DAY).length,
    negativeFeedback7d: lastWeek.filter((j) => j.complaint || (j.rating !== null && j.rating <= 2)).length,
    latestCheckInScore: checkIn ? checkIn.score : null,
  };
}
