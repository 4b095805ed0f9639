/**
 * Local wall-clock arithmetic in a person's IANA timezone, with Intl only (no Node APIs), so
 * workflow code can use it: a customer's send window, a worker's quiet hours, the daily cap's
 * "day" and late-night jobs are all judged in the person's own time, not the server's.
 */

/** The marketplace's own zone: the default for people, schedules and any unusable zone. */
export const DEFAULT_TIME_ZONE = 'Asia/Dhaka';

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 24 * 60;

export interface LocalMoment {
  /** The local calendar date, YYYY-MM-DD. */
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
}

/** Whether Intl knows the zone (workflow code computes local times with it and must not meet a bad one). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A zone we can use, else the marketplace's own (a bad value in `users.timezone` must not stop a send). */
export function usableTimeZone(timeZone: string | null | undefined, fallback = DEFAULT_TIME_ZONE): string {
  return timeZone && isKnownTimeZone(timeZone) ? timeZone : fallback;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(at: Date, timeZone: string): Record<string, string> {
  return Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
}

export function localMoment(at: Date, timeZone: string): LocalMoment {
  const parts = localParts(at, timeZone);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** The calendar date at `at` in `timeZone` (an unusable zone falls back), as in per-customer-per-day workflow ids. */
export function localDate(at: Date, timeZone: string): string {
  return localMoment(at, usableTimeZone(timeZone)).date;
}

/** "HH:MM" → minutes since midnight. */
export function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Whether a local time of day lies in [start, end), a window that may wrap past midnight. */
export function inDailyWindow(minutes: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/**
 * When a message may go out: `at` itself outside quiet hours, else the instant the quiet hours
 * end (the next local `end` time). Adds wall-clock minutes, which is exact in zones without a
 * DST change inside the quiet hours (Bangladesh has none).
 */
export function endOfQuietHours(at: Date, timeZone: string, quietStart: string, quietEnd: string): Date {
  const start = clockMinutes(quietStart);
  const end = clockMinutes(quietEnd);
  const now = localMoment(at, timeZone);
  if (!inDailyWindow(now.minutes, start, end)) return at;
  const minutesToEnd = (end - now.minutes + 1440) % 1440;
  const startOfMinute = Math.floor(at.getTime() / 60_000) * 60_000;
  return new Date(startOfMinute + minutesToEnd * 60_000);
}

/**
 * How long to wait from `now` until a daily send window opens (0 when inside it). A window whose
 * end is before its start runs over midnight ("21:00"–"02:00"); equal start and end mean "any
 * time". Zones with daylight saving shift by up to an hour on change days, which a send window
 * tolerates.
 */
export function msUntilSendWindow(now: Date, timeZone: string, start: string, end: string): number {
  const startMin = clockMinutes(start);
  const endMin = clockMinutes(end);
  if (startMin === endMin) return 0;
  const parts = localParts(now, usableTimeZone(timeZone));
  const msOfDay = ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000 + now.getUTCMilliseconds();
  if (inDailyWindow(Math.floor(msOfDay / MS_PER_MINUTE), startMin, endMin)) return 0;
  const untilStart = startMin * MS_PER_MINUTE - msOfDay;
  return untilStart > 0 ? untilStart : untilStart + MINUTES_PER_DAY * MS_PER_MINUTE;
}

/** The local date `days` calendar days before `date` (YYYY-MM-DD arithmetic, zone-free). */
export function previousDate(date: string, days = 1): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}
