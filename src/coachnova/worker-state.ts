import type { Config } from '../config';
import type { Db } from '../db/database';
import { localMoment } from '../core/local-time';
import { scoreBurnout, signalsForApi } from './core/burnout-score';
import { computeSignals } from './core/work-window';
import type { SessionView } from './session-view-schema';
import { coachingSettingsFromConfig } from './settings';
import { loadWorkerProfile, loadWorkWindow } from './work-history';

export async function workerExists(db: Db, workerId: string): Promise<boolean> {
  return !!(await db.selectFrom('workers').select('id').where('id', '=', workerId).executeTakeFirst());
}

/**
 * The running session's own view (`runningView`, a query); without one, the same score computed
 * from the worker's completed bookings (no cancellations or check-ins: only a session sees
 * those). Null for an unknown worker.
 */
export async function workerStateView(
  db: Db,
  config: Config,
  workerId: string,
  runningView: () => Promise<SessionView | null>,
  now = new Date(),
): Promise<SessionView | null> {
  const profile = await loadWorkerProfile(db, workerId);
  if (!profile) return null;
  const running = await runningView();
  if (running) return running;

  const settings = coachingSettingsFromConfig(config);
  const since = new Date(now.getTime() - settings.windowDays * 24 * 3600 * 1000);
  const window = await loadWorkWindow(db, workerId, since, settings.maxJobs);
  const signals = computeSignals(window, now, {
    timeZone: profile.timezone,
    lateNightStart: settings.lateNightStart,
    lateNightEnd: settings.lateNightEnd,
    ratingSample: settings.ratingTrendSample,
  });
  const risk = scoreBurnout(signals, settings.policy);
  const startOfLocalDay = new Date(now.getTime() - localMoment(now, profile.timezone).minutes * 60_000);
  const messagesToday = await db
    .selectFrom('ai_messages')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', workerId)
    .where('agent_type', '=', 'coachnova')
    .where('created_at', '>=', startOfLocalDay)
    .executeTakeFirstOrThrow();
  return {
    worker_id: workerId,
    source: 'database',
    workflow_id: null,
    risk: { score: risk.score, level: risk.level, factors: risk.factors, override: risk.override, assessed_at: now.toISOString() },
    metrics: {
      ...signalsForApi(signals),
      jobs_in_window: window.jobs.length,
      messages_today: Number(messagesToday.count),
      skipped_by_daily_cap: 0,
      escalations: 0,
      events_processed: 0,
      runs: 0,
    },
    pending_messages: [],
  };
}
