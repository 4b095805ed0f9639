import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

const NAMES = '(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)';
/** Five fields of numbers, names, `*`, ranges, lists and steps: the syntax Temporal schedules and cron-parser share. */
const FIELD = new RegExp(`^(?:\\*|\\d{1,2}|${NAMES})(?:-(?:\\d{1,2}|${NAMES}))?(?:/\\d{1,2})?(?:,(?:\\*|\\d{1,2}|${NAMES})(?:-(?:\\d{1,2}|${NAMES}))?(?:/\\d{1,2})?)*$`, 'i');

export function isValidCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => FIELD.test(f))) return false;
  try {
    CronExpressionParser.parse(expression);
    return true;
  } catch {
    return false;
  }
}

const ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

/**
 * An IANA zone name as the Temporal server (Go's time package) loads it: exact spelling, case
 * included. Intl alone accepts "asia/dhaka", which the server then refuses.
 */
export function isValidTimeZone(zone: string): boolean {
  if (ZONES.has(zone)) return true;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone === zone;
  } catch {
    return false;
  }
}

export const cronExpression = z.string().max(100).refine(isValidCron, 'a five-field cron expression (minute hour day month weekday)');
export const timeZoneName = z.string().max(64).refine(isValidTimeZone, 'unknown IANA timezone (exact spelling, e.g. Asia/Dhaka)');
