import { complaintKeywords } from '../../src/coachnova/core/complaints';
import { coachingReasons } from '../../src/coachnova/core/coaching-triggers';
import { endOfQuietHours, inDailyWindow, localMoment } from '../../src/core/local-time';
import { jobFromBooking } from '../../src/coachnova/jobs-from-bookings';
import { computeSignals, emptyWindow, pruneWindow, withCancellation, withCheckIn, withJob, type JobRecord, type WorkWindow } from '../../src/coachnova/core/work-window';

const HOUR = 3_600_000;
// 2026-03-10 20:00 in Dhaka (UTC+6)
const now = new Date('2026-03-10T14:00:00Z');
const options = { timeZone: 'Asia/Dhaka', lateNightStart: '22:00', lateNightEnd: '06:00', ratingSample: 3 };

/** A job that started at a Dhaka wall-clock time `daysAgo` days ago and lasted `hours`. */
function job(daysAgo: number, startLocal: string, hours: number, extra: Partial<JobRecord> = {}): JobRecord {
  const start = new Date(new Date(`2026-03-10T${startLocal}:00+06:00`).getTime() - daysAgo * 24 * HOUR);
  return {
    bookingId: `b-${daysAgo}-${startLocal}-${Math.random()}`,
    startedAt: start.toISOString(),
    finishedAt: new Date(start.getTime() + hours * HOUR).toISOString(),
    rating: 5,
    complaint: false,
    minutesLate: null,
    ...extra,
  };
}

const windowOf = (...jobs: JobRecord[]): WorkWindow => jobs.reduce(withJob, emptyWindow());

describe('rolling signals from a work window', () => {
  it('sums hours inside the last 24 hours and 7 days, clipping jobs at the edges', () => {
    const w = windowOf(job(0, '08:00', 10), job(1, '16:00', 6), job(7, '09:00', 8), job(9, '09:00', 8));
    const s = computeSignals(w, now, options);
    // today 08–18 (10 h), yesterday 16–22 (2 h of it after 20:00 yesterday), 7 days ago 09–17 (outside: window starts 20:00)
    expect(s.hoursLast24h).toBe(12);
    expect(s.hoursLast7d).toBe(16);
  });

  it.each([
    ['six days in a row up to today', [0, 1, 2, 3, 4, 5], 6],
    ['seven days in a row', [0, 1, 2, 3, 4, 5, 6], 7],
    ['a streak ending yesterday still counts', [1, 2, 3], 3],
    ['a rest day breaks the streak', [0, 1, 3, 4, 5], 2],
    ['no work since the day before yesterday', [2, 3, 4], 0],
  ])('%s → %d', (_label, days, expected) => {
    const w = windowOf(...days.map((d) => job(d, '09:00', 4)));
    expect(computeSignals(w, now, options).consecutiveWorkingDays).toBe(expected);
  });

  it('counts a night job once, on the day it started, and as late-night work', () => {
    const w = windowOf(job(1, '20:00', 5), job(2, '09:00', 3), job(3, '05:00', 2));
    const s = computeSignals(w, now, options);
    expect(s.consecutiveWorkingDays).toBe(3);
    expect(s.lateNightJobs7d).toBe(2);
  });

  it('compares the latest ratings with the ones before, once both sides have two', () => {
    const ratings = (...r: number[]) => windowOf(...r.map((rating, i) => job(6 - Math.floor(i / 2), i % 2 ? '14:00' : '09:00', 1, { rating })));
    expect(computeSignals(ratings(5, 5, 5, 3, 3, 2), now, options)).toMatchObject({ previousAvgRating: 5, recentAvgRating: 2.67 });
    expect(computeSignals(ratings(5, 5, 4), now, options)).toMatchObject({ previousAvgRating: null, recentAvgRating: null });
  });

  it('counts cancellations, complaints, low ratings and the latest check-in of the last 7 days', () => {
    let w = windowOf(job(1, '09:00', 2, { complaint: true }), job(2, '09:00', 2, { rating: 2 }), job(8, '09:00', 2, { complaint: true }));
    w = withCancellation(w, { bookingId: 'c1', at: new Date(now.getTime() - 2 * HOUR).toISOString() });
    w = withCancellation(w, { bookingId: 'c1', at: new Date(now.getTime() - 1 * HOUR).toISOString() });
    w = withCheckIn(w, { score: 8, at: new Date(now.getTime() - 48 * HOUR).toISOString() });
    w = withCheckIn(w, { score: 4, at: new Date(now.getTime() - 2 * HOUR).toISOString() });
    expect(computeSignals(w, now, options)).toMatchObject({ cancellations7d: 1, negativeFeedback7d: 2, latestCheckInScore: 4 });
  });

  it('replaces a job with the same booking and prunes by age and count', () => {
    const a = job(1, '09:00', 2);
    let w = withJob(windowOf(a), { ...a, rating: 1 });
    expect(w.jobs).toHaveLength(1);
    expect(w.jobs[0].rating).toBe(1);
    w = windowOf(job(1, '09:00', 1), job(2, '09:00', 1), job(3, '09:00', 1), job(20, '09:00', 1));
    expect(pruneWindow(w, now, { windowDays: 14, maxJobs: 2 }).jobs).toHaveLength(2);
    expect(pruneWindow(w, now, { windowDays: 14, maxJobs: 10 }).jobs).toHaveLength(3);
  });
});

describe('local time', () => {
  it('reads the wall clock in the worker\'s zone', () => {
    expect(localMoment(now, 'Asia/Dhaka')).toEqual({ date: '2026-03-10', minutes: 20 * 60 });
    expect(localMoment(now, 'UTC')).toEqual({ date: '2026-03-10', minutes: 14 * 60 });
  });

  it.each([
    ['22:30', true],
    ['07:59', true],
    ['08:00', false],
    ['20:59', false],
  ])('a window 21:00–08:00 contains %s: %s', (hhmm, inside) => {
    const [h, m] = hhmm.split(':').map(Number);
    expect(inDailyWindow(h * 60 + m, 21 * 60, 8 * 60)).toBe(inside);
  });

  it('moves a message inside quiet hours to their end, and leaves others alone', () => {
    expect(endOfQuietHours(now, 'Asia/Dhaka', '21:00', '08:00')).toEqual(now);
    expect(endOfQuietHours(now, 'Asia/Dhaka', '19:00', '08:00').toISOString()).toBe('2026-03-11T02:00:00.000Z');
    expect(endOfQuietHours(now, 'Asia/Dhaka', '19:30', '20:45').toISOString()).toBe('2026-03-10T14:45:00.000Z');
  });
});

describe('coaching triggers and complaints', () => {
  const settings = { coachingRatingMax: 3, lateMinutesThreshold: 15 };
  const signal = (extra: object) => ({ booking_id: 'b', rating: null, feedback: null, started_at: null, finished_at: now.toISOString(), minutes_late: null, ...extra });

  it.each([
    [{ rating: 5, feedback: 'Great job, thank you' }, []],
    [{ rating: 3 }, ['low_rating']],
    [{ rating: 4, feedback: 'The bathroom was left dirty' }, ['complaint']],
    [{ rating: 5, minutes_late: 15 }, []],
    [{ rating: 5, minutes_late: 16 }, ['late_arrival']],
    [{ rating: 1, feedback: 'খুব খারাপ ব্যবহার', minutes_late: 60 }, ['low_rating', 'complaint', 'late_arrival']],
  ])('%j → %j', (job, reasons) => {
    expect(coachingReasons(signal(job), settings)).toEqual(reasons);
  });

  it.each([
    ['He was rude and late', ['late', 'rude']],
    ['Not bad at all, never late', []],
    ['কাজ ঠিক হয়নি, নোংরা করে গেছে', ['নোংরা', 'ঠিক হয়নি']],
    ['চমৎকার কাজ', []],
    ['', []],
  ])('finds the complaint words in %j', (text, words) => {
    expect(complaintKeywords(text).sort()).toEqual([...words].sort());
  });

  it('makes a job from a booking, standing in the scheduled start only when plausible', () => {
    const base = { id: 'b', rating: 4, feedback: 'late again', minutes_late: 20, finished_at: '2026-03-10T12:00:00Z' };
    expect(jobFromBooking({ ...base, scheduled_at: '2026-03-10T09:00:00Z', started_at: null })).toMatchObject({ startedAt: '2026-03-10T09:00:00.000Z', complaint: true });
    expect(jobFromBooking({ ...base, scheduled_at: '2026-03-01T09:00:00Z', started_at: null }).startedAt).toBeNull();
    expect(jobFromBooking({ ...base, scheduled_at: '2026-03-10T09:00:00Z', started_at: '2026-03-10T09:30:00Z' }).startedAt).toBe('2026-03-10T09:30:00.000Z');
  });
});
