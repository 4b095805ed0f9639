import { z } from 'zod';

const DAY_MS = 86_400_000;

/**
 * An ISO 8601 timestamp with offset, within a plausible range around now: a year 0000 or 9999
 * sent by a client would otherwise flow into cadence sums, burnout windows and timers.
 */
export function boundedTime(options: { pastDays: number; futureDays: number }) {
  return z.iso.datetime({ offset: true }).refine((value) => {
    const at = Date.parse(value);
    const now = Date.now();
    return Number.isFinite(at) && at >= now - options.pastDays * DAY_MS && at <= now + options.futureDays * DAY_MS;
  }, `must lie between ${options.pastDays} days ago and ${options.futureDays} days ahead`);
}

/** When a booking is for: up to a year back (late records), up to two years ahead. */
export const bookingTime = boundedTime({ pastDays: 366, futureDays: 731 });
/** When a job event happened: up to a year back, not more than a day ahead (clock skew). */
export const eventTime = boundedTime({ pastDays: 366, futureDays: 1 });
