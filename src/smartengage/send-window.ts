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
  const minuteNow = msOfDay / 60_000;
  const inside = startMin < endMin ? minuteNow >= startMin && minuteNow < endMin : minuteNow >= startMin || minuteNow < endMin;
  if (inside) return 0;
  const untilStart = startMin * 60_000 - msOfDay;
  return untilStart > 0 ? untilStart : untilStart + MINUTES_PER_DAY * 60_000;
}
