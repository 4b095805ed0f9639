/** Asia/Dhaka is UTC+6 all year (no daylight saving since 2009), so a fixed offset is exact. */
const DHAKA_OFFSET_MS = 6 * 3_600_000;
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** The UTC instant of local midnight in Dhaka, `dayOffset` days from the local day of `now`. */
export function dhakaMidnight(now: Date, dayOffset: number): Date {
  const localMidnight = Math.floor((now.getTime() + DHAKA_OFFSET_MS) / DAY_MS) * DAY_MS;
  return new Date(localMidnight - DHAKA_OFFSET_MS + dayOffset * DAY_MS);
}

export const addMinutes = (at: Date, minutes: number): Date => new Date(at.getTime() + minutes * MINUTE_MS);
export const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * DAY_MS);
