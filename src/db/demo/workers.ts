import { SERVICE_CATEGORIES, type Locale, type RiskLevel, type ServiceCategory } from '../types';
import type { CatalogueEntry } from './catalogue';
import { addMinutes, daysBefore, dhakaMidnight } from './clock';
import { complaint, feedbackFor } from './feedback';
import { makePerson, type DemoPerson } from './people';
import type { DemoRandom } from './random';

export type DemoService = CatalogueEntry & { id: string };

export interface DemoWorker extends DemoPerson {
  id: string;
  locale: Locale;
  /** The burnout risk CoachNova should find from this worker's recent jobs. */
  profile: RiskLevel;
  skills: ServiceCategory[];
  supervisor_email: string;
  created_at: Date;
}

/** One job a worker did (or is booked for), before a customer is attached to it. */
export interface WorkerJob {
  worker_id: string;
  service: DemoService;
  scheduled_at: Date;
  started_at: Date;
  finished_at: Date;
  minutes_late: number;
  rating: number | null;
  feedback: string | null;
  /** Called off by the worker: counts as a cancellation, not as hours. */
  cancelled: boolean;
}

const SUPERVISORS = ['supervisor.gulshan@shoktiai.local', 'supervisor.dhanmondi@shoktiai.local', 'supervisor.mirpur@shoktiai.local'];

/** Of every 30 workers: 4 overworked, 6 stretched, the other 20 rested. */
const HIGH_SHARE = 4 / 30;
const MODERATE_SHARE = 6 / 30;

export function buildWorkers(random: DemoRandom, now: Date, count: number): DemoWorker[] {
  const high = Math.max(1, Math.round(count * HIGH_SHARE));
  const moderate = Math.max(1, Math.round(count * MODERATE_SHARE));
  const profiles = random.shuffle<RiskLevel>([
    ...Array<RiskLevel>(high).fill('HIGH'),
    ...Array<RiskLevel>(moderate).fill('MODERATE'),
    ...Array<RiskLevel>(Math.max(0, count - high - moderate)).fill('LOW'),
  ]);
  return profiles.map((profile, i) => {
    const locale: Locale = random.chance(0.9) ? 'bn' : 'en';
    // every category gets workers: the i-th worker's main trade cycles through the categories
    const main = SERVICE_CATEGORIES[i % SERVICE_CATEGORIES.length];
    const extra = random.sample(
      SERVICE_CATEGORIES.filter((c) => c !== main),
      random.int(0, 2),
    );
    return {
      id: random.uuid(),
      ...makePerson(random, i + 1, locale, 'pro.'),
      locale,
      profile,
      skills: [main, ...extra],
      supervisor_email: SUPERVISORS[i % SUPERVISORS.length],
      created_at: daysBefore(now, random.int(200, 900)),
    };
  });
}

/** How one day of a worker's recent fortnight is shaped. */
interface DayPlan {
  dayOffset: number;
  /** Minutes of work to fill with jobs; 0 is a rest day. */
  workMinutes: number;
  /** Local minute of the day the first job starts. */
  startMinute: number;
  lateNight: boolean;
  /** Within the last 7 days: stretched and overworked workers arrive late more often. */
  recent: boolean;
}

/**
 * The recent days of each profile, following the Bangladesh Labour Act limits CoachNova scores
 * against (8 h a day, 10 with overtime; 48 h a week, 60 with overtime; a weekly rest day):
 * LOW ≈ 40 h a week (6 days of ~6.7 h, one rest day); MODERATE ≈ 52 h (6 days of ~8.7 h, kept
 * short of 60 h: a 7-day window counts the job straddling its start whole, so ~9.5 h days reached
 * 60.1 h in the evening, Dhaka time);
 * HIGH works every day for 12 days, 9–10 h plus late-night jobs, well over 60 h a week.
 * Any 7-day window ending at `now` holds about six working days whatever the hour, because
 * the rest day falls inside days -6..-1 and the cut-off splits days -7 and 0 between them.
 */
function planDays(random: DemoRandom, profile: RiskLevel): DayPlan[] {
  const restDay = random.int(-6, -1);
  const isRest = (d: number) => (d - restDay) % 7 === 0;
  if (profile === 'HIGH') {
    const lateDays = new Set([...random.sample([-6, -5, -4, -3, -2, -1], 4), random.int(-11, -7)]);
    return range(-11, 0).map((d) => ({
      dayOffset: d,
      workMinutes: random.int(540, 600),
      startMinute: random.int(450, 480),
      lateNight: lateDays.has(d),
      recent: d >= -6,
    }));
  }
  const moderate = profile === 'MODERATE';
  return range(-7, 0).map((d) => ({
    dayOffset: d,
    workMinutes: isRest(d) ? 0 : moderate ? random.int(510, 540) : random.int(390, 420),
    startMinute: moderate ? random.int(480, 510) : random.int(540, 600),
    lateNight: false,
    recent: d >= -6,
  }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const roundTo5 = (minutes: number) => Math.max(5, Math.round(minutes / 5) * 5);

/** How many of the latest ratings CoachNova compares with the ones before (CN_RATING_TREND_SAMPLE). */
const TREND_SAMPLE = 5;

/**
 * A rating by how recent the job is among the worker's finished ones (0 = the latest), so the
 * trend CoachNova computes (latest ratings against the ones before) shows whatever the hour:
 * stretched workers slip over their last five jobs; overworked ones slide over their last
 * fifteen, worst in the last five. The latest ten jobs are always rated.
 */
function ratingFor(random: DemoRandom, profile: RiskLevel, recency: number): number | null {
  if (recency >= 2 * TREND_SAMPLE && random.chance(0.1)) return null; // not every customer rates
  const good = [[5, 60], [4, 35], [3, 5]] as const;
  if (profile === 'MODERATE' && recency < TREND_SAMPLE) return random.weighted([[4, 20], [3, 50], [2, 30]]);
  if (profile === 'HIGH' && recency < TREND_SAMPLE) return random.weighted([[3, 40], [2, 50], [1, 10]]);
  if (profile === 'HIGH' && recency < 3 * TREND_SAMPLE) return random.weighted([[4, 40], [3, 50], [2, 10]]);
  return random.weighted(good);
}

/** Rates the finished jobs, newest first, as their customers would have. */
function rateJobs(random: DemoRandom, profile: RiskLevel, jobs: WorkerJob[], now: Date): void {
  const finished = jobs.filter((j) => !j.cancelled && j.finished_at <= now).sort((a, b) => b.finished_at.getTime() - a.finished_at.getTime());
  finished.forEach((j, recency) => {
    j.rating = ratingFor(random, profile, recency);
    j.feedback = feedbackFor(random, j.rating);
  });
}

function minutesLateFor(random: DemoRandom, profile: RiskLevel, recent: boolean): number {
  if (profile === 'HIGH' && recent) return random.chance(0.45) ? random.int(15, 50) : 0;
  if (profile === 'MODERATE' && recent) return random.chance(0.3) ? random.int(10, 25) : 0;
  return random.chance(0.08) ? random.int(5, 15) : 0;
}

function job(random: DemoRandom, worker: DemoWorker, service: DemoService, start: Date, minutes: number, recent: boolean): WorkerJob {
  const minutesLate = minutesLateFor(random, worker.profile, recent);
  return {
    worker_id: worker.id,
    service,
    scheduled_at: addMinutes(start, -minutesLate),
    started_at: start,
    finished_at: addMinutes(start, minutes),
    minutes_late: minutesLate,
    rating: null, // see rateJobs
    feedback: null,
    cancelled: false,
  };
}

/** Back-to-back jobs from the worker's trades until the day's minutes are worked, with travel in between. */
function fillDay(random: DemoRandom, worker: DemoWorker, plan: DayPlan, offered: DemoService[], now: Date): WorkerJob[] {
  const midnight = dhakaMidnight(now, plan.dayOffset);
  const jobs: WorkerJob[] = [];
  let clock = plan.startMinute;
  let worked = 0;
  while (worked < plan.workMinutes - 30) {
    const service = random.pick(offered);
    const left = plan.workMinutes - worked;
    const minutes = Math.max(45, Math.min(roundTo5(service.typical_minutes * random.between(0.85, 1.2)), left + 15));
    jobs.push(job(random, worker, service, addMinutes(midnight, clock), minutes, plan.recent));
    worked += minutes;
    clock += minutes + random.int(20, 45);
  }
  if (plan.lateNight) {
    const start = Math.max(clock, 21 * 60 + random.int(0, 40));
    const service = random.pick(offered);
    jobs.push(job(random, worker, service, addMinutes(midnight, start), random.int(90, 120), plan.recent));
  }
  return jobs;
}

/**
 * The recent jobs of every worker, shaped by profile so that CoachNova finds each risk level:
 * overworked workers also get a complaint and a job they called off in the last days.
 */
export function buildRecentJobs(random: DemoRandom, now: Date, workers: DemoWorker[], services: DemoService[]): WorkerJob[] {
  const jobs: WorkerJob[] = [];
  for (const worker of workers) {
    const offered = services.filter((s) => s.is_active && worker.skills.includes(s.category));
    const own: WorkerJob[] = [];
    for (const plan of planDays(random, worker.profile)) {
      if (plan.workMinutes > 0) own.push(...fillDay(random, worker, plan, offered, now));
    }
    rateJobs(random, worker.profile, own, now);
    if (worker.profile === 'HIGH') markTroubledJobs(random, worker, own, now, offered);
    jobs.push(...own);
  }
  return jobs;
}

function markTroubledJobs(random: DemoRandom, worker: DemoWorker, own: WorkerJob[], now: Date, offered: DemoService[]): void {
  const lastDays = own.filter((j) => j.finished_at <= now && j.started_at >= dhakaMidnight(now, -3));
  const target = lastDays.length ? random.pick(lastDays) : own[own.length - 1];
  target.rating = random.int(1, 2);
  target.feedback = complaint(random);
  const cancelledDay = dhakaMidnight(now, random.int(-5, -2));
  const start = addMinutes(cancelledDay, random.int(14, 17) * 60);
  own.push({
    worker_id: worker.id,
    service: random.pick(offered),
    scheduled_at: start,
    started_at: start,
    finished_at: addMinutes(start, 90),
    minutes_late: 0,
    rating: null,
    feedback: null,
    cancelled: true,
  });
}
