/**
 * Local wall-clock arithmetic in a worker's IANA timezone, with Intl only (no Node APIs), so
 * workflow code can use it: quiet hours, the daily cap's "day" and late-night jobs are all
 * judged in the worker's own time, not the server's.
 */

export interface LocalMoment {
  /** The local calendar date, YYYY-MM-DD. */
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
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
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localMoment(at: Date, timeZone: string): LocalMoment {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
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

/** The local date `days` calendar days before `date` (YYYY-MM-DD arithmetic, zone-free). */
export function previousDate(date: string, days = 1): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}
