/**
 * Send windows in a customer's own timezone ("18:00"–"20:00" local). Pure functions of an
 * instant, so activities compute them and tests check them without a clock.
 */

const MINUTES_PER_DAY = 24 * 60;

interface LocalClock {
  /** YYYY-MM-DD in the timezone. */
  date: string;
  /** Milliseconds since local midnight. */
  msOfDay: number;
}

function localClock(instant: Date, timeZone: string): LocalClock {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  const msOfDay = ((Number(part('hour')) * 60 + Number(part('minute'))) * 60 + Number(part('second'))) * 1000 + instant.getUTCMilliseconds();
  return { date: `${part('year')}-${part('month')}-${part('day')}`, msOfDay };
}

/** An IANA zone we can use, else the marketplace's own (a bad value in `users.timezone` must not stop a send). */
export function usableTimeZone(timeZone: string | null | undefined, fallback = 'Asia/Dhaka'): string {
  if (!timeZone) return fallback;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return fallback;
  }
}

/** The calendar date at `instant` in `timeZone`, as used in per-customer-per-day workflow ids. */
export function localDate(instant: Date, timeZone: string): string {
  return localClock(instant, usableTimeZone(timeZone)).date;
}

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h * 60 + m;
}

/**
 * How long to wait from `now` until the window opens (0 when inside it). A window whose end is
 * before its start runs over midnight ("21:00"–"02:00"); equal start and end mean "any time".
 * Zones with daylight saving shift by up to an hour on change days, which a send window tolerates.
 */
export function msUntilSendWindow(now: Date, timeZone: string, start: string, end: string): number {
  const startMin = minutesOf(start);
  const endMin = minutesOf(end);
  if (startMin === endMin) return 0;
  const { msOfDay } = localClock(now, usableTimeZone(timeZone));
  if (insideWindow(msOfDay / 60_000, startMin, endMin)) return 0;
  const untilStart = startMin * 60_000 - msOfDay;
  return untilStart > 0 ? untilStart : untilStart + MINUTES_PER_DAY * 60_000;
}

function clockOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function insideWindow(minute: number, startMin: number, endMin: number): boolean {
  if (startMin === endMin) return true;
  return startMin < endMin ? minute >= startMin && minute < endMin : minute >= startMin || minute < endMin;
}

export type PersonalSendReason = 'favourite_hour' | 'favourite_hour_outside_window' | 'too_few_bookings';

export interface PersonalSendPlan {
  waitMs: number;
  /** The local clock time aimed at ("19:00"), or the window's own start when falling back. */
  target: string;
  reason: PersonalSendReason;
}

/**
 * `send_time: "personal"`: the local hour at which the customer has booked most often, when it
 * falls inside the window; otherwise (or without such an hour) the window's normal behaviour.
 * Inside that hour already → now; else wait for its next occurrence. A window starting mid-hour
 * ("18:30") aims at the window start when the favourite hour is 18.
 */
export function personalSendPlan(now: Date, timeZone: string, start: string, end: string, favouriteHour: number | null): PersonalSendPlan {
  const fallback = (reason: PersonalSendReason): PersonalSendPlan => ({ waitMs: msUntilSendWindow(now, timeZone, start, end), target: start, reason });
  if (favouriteHour === null) return fallback('too_few_bookings');
  const startMin = minutesOf(start);
  const endMin = minutesOf(end);
  const hourStart = favouriteHour * 60;
  const target = insideWindow(hourStart, startMin, endMin) ? hourStart : insideWindow(startMin, hourStart, hourStart + 60) ? startMin : null;
  if (target === null) return fallback('favourite_hour_outside_window');
  const { msOfDay } = localClock(now, usableTimeZone(timeZone));
  const minuteNow = msOfDay / 60_000;
  if (Math.floor(minuteNow / 60) === favouriteHour && insideWindow(minuteNow, startMin, endMin)) return { waitMs: 0, target: clockOf(target), reason: 'favourite_hour' };
  const until = target * 60_000 - msOfDay;
  return { waitMs: until > 0 ? until : until + MINUTES_PER_DAY * 60_000, target: clockOf(target), reason: 'favourite_hour' };
}
