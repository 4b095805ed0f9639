import { randomUUID } from 'node:crypto';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { API_KEY, createWorker, getWorkerState, postJobCompleted, quietHoursAwayFromNow, sleep } from './fixtures';

const HOUR = 3_600_000;

const hhmm = (d: Date) => d.toLocaleTimeString('en-GB', { timeZone: 'Asia/Dhaka', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * The instant the jobs below are placed against. A working day counts by the local date a job
 * starts, so the 10.5-hour job ending an hour before it and the short jobs just before it must
 * start on one local date: before 11:30 in Dhaka that instant is last night's 23:59 instead of
 * now (at most 11.5 h back, so every job stays inside the last 24 hours and 7 days).
 */
function jobsAnchor(now = Date.now()): number {
  const [h, m] = hhmm(new Date(now)).split(':').map(Number);
  const sinceMidnight = (h * 60 + m) * 60_000;
  return sinceMidnight >= 11.5 * HOUR ? now : now - sinceMidnight - 60_000;
}
const anchor = jobsAnchor();

function lateNightAwayFromJobs() {
  return { CN_LATE_NIGHT_START: hhmm(new Date(anchor + 2 * HOUR)), CN_LATE_NIGHT_END: hhmm(new Date(anchor + 3 * HOUR)) };
}
const COOLDOWN_SECONDS = 8;

let openai: TestOpenAiServer;
let system: TestSystem;

beforeAll(async () => {
  openai = await startOpenAiServer();
  openai.setDefault(() => ({
    draft: { subject: 'How are you doing?', body: 'You have worked very hard this week. Please rest well, and tell us from 0 to 10 how you feel today.', call_to_action: 'Reply' },
  }));
  system = await startTestSystem({
    env: {
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: openai.baseUrl,
      ...quietHoursAwayFromNow(),
      CN_DAILY_MESSAGE_CAP: '50',
      CN_ESCALATION_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS),
      // The jobs below start and end at the same clock times every day, relative to the anchor; the
      // late-night window is moved away from them so each step adds exactly one factor.
      ...lateNightAwayFromJobs(),
    },
  });
});
afterAll(async () => {
  await system?.stop();
  await openai?.close();
});

/** Waits until the session has processed `events` events and returns its state. */
async function stateAfter(workerId: string, events: number) {
  return eventually(async () => {
    const res = await getWorkerState(system, workerId);
    return res.body.source === 'session' && res.body.metrics?.events_processed === events && res.body;
  });
}

const mailsTo = (address: string) => system.smtp.messages.filter((m) => (m.to as any).text.includes(address));
const burnoutChecks = (workerId: string) =>
  system.db.selectFrom('ai_messages').selectAll().where('user_id', '=', workerId).where('message_type', '=', 'BURNOUT_CHECK').execute();

/** A 10.5-hour day: the job of day k (0 = the anchor's day) starts 24 h apart, so each lands on its own local date. */
const longDay = (k: number, rating = 5) => {
  const finished = anchor - k * 24 * HOUR - HOUR;
  return { started_at: new Date(finished - 10.5 * HOUR).toISOString(), finished_at: new Date(finished).toISOString(), rating };
};

describe('CoachNova burnout detection', () => {
  it('raises the level step by step: weekly hours, then no rest day, then falling ratings; escalates once', async () => {
    const supervisor = `supervisor-${randomUUID()}@example.com`;
    const worker = await createWorker(system.db, { locale: 'en', name: 'Sumon Mia', supervisorEmail: supervisor });
    expect((await getWorkerState(system, worker.id)).body.risk.level).toBe('LOW');

    // 1. six 10.5-hour days in a row: 63 h this week (limit 60 with overtime), 10.5 h in the last day
    for (const k of [5, 4, 3, 2, 1, 0]) await postJobCompleted(system, worker.id, longDay(k));
    const week = await stateAfter(worker.id, 6);
    expect(week.metrics).toMatchObject({ hours_last_7d: 63, consecutive_working_days: 6 });
    expect(week.risk.level).toBe('MODERATE');

    // 2. a seventh day in a row: no weekly rest day
    await postJobCompleted(system, worker.id, longDay(6));
    const noRest = await stateAfter(worker.id, 7);
    expect(noRest.metrics.consecutive_working_days).toBe(7);
    expect(noRest.risk.level).toBe('MODERATE');
    expect(noRest.risk.score).toBeGreaterThan(week.risk.score);
    expect(mailsTo(supervisor)).toHaveLength(0);

    // 3. ratings fall: the latest five jobs are rated 3 after a run of 5s
    for (let i = 0; i < 5; i++) {
      const finished = anchor - (50 - i * 10) * 60_000;
      await postJobCompleted(system, worker.id, { started_at: new Date(finished - 5 * 60_000).toISOString(), finished_at: new Date(finished).toISOString(), rating: 3 });
    }
    const falling = await stateAfter(worker.id, 12);
    expect(falling.metrics).toMatchObject({ recent_avg_rating: 3, previous_avg_rating: 5 });
    expect(falling.risk.level).toBe('HIGH');
    expect(falling.risk.score).toBeGreaterThan(noRest.risk.score);
    const named = falling.risk.factors.filter((f: any) => f.points > 0).map((f: any) => f.name);
    expect(named).toEqual(expect.arrayContaining(['hours_last_7d', 'consecutive_working_days', 'rating_drop']));

    // HIGH: one supervisor alert naming the factors, one kind check to the worker
    const [alert] = await eventually(async () => mailsTo(supervisor).length === 1 && mailsTo(supervisor));
    expect(alert.subject).toBe('CoachNova: high burnout risk for Sumon Mia');
    // it went HIGH at the first falling rating on top of the long week without rest
    expect(alert.text).toMatch(/hours worked in the last 7 days: 73\.\d+ \(limit 60\)/);
    expect(alert.text).toContain('working days in a row: 7 (limit 7)');
    expect(alert.text).toMatch(/drop in average rating \(stars\): 0\.4 \(limit 1\.5\)/);
    const checks = await eventually(async () => {
      const rows = await burnoutChecks(worker.id);
      return rows.length === 2 && rows;
    });
    expect(checks.map((c) => c.channel).sort()).toEqual(['EMAIL', 'IN_APP']);
    expect(checks.every((c) => (c.safety_checks as any).safe === true && c.workflow_id === `coaching-${worker.id}`)).toBe(true);
    expect(falling.metrics.escalations).toBe(1);
    // operators find the session in the Temporal UI by worker, agent and risk level
    await eventually(async () => {
      const query = `WorkerId = '${worker.id}' AND AgentType = 'coachnova' AND RiskLevel = 'HIGH'`;
      for await (const run of system.client.workflow.list({ query })) return run.workflowId === `coaching-${worker.id}`;
      return false;
    });

    // more events while HIGH, even past the cool-down: nothing is repeated
    await postJobCompleted(system, worker.id, { ...longDay(0), rating: 3, booking_id: randomUUID() });
    await sleep(COOLDOWN_SECONDS * 1000);
    await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}/check-in`, { score: 5 }, API_KEY);
    const still = await stateAfter(worker.id, 14);
    expect(still.risk.level).toBe('HIGH');
    expect(still.metrics.escalations).toBe(1);
    expect(mailsTo(supervisor)).toHaveLength(1);
    expect(await burnoutChecks(worker.id)).toHaveLength(2);

    const stored = await system.db.selectFrom('burnout_assessments').selectAll().where('worker_id', '=', worker.id).orderBy('assessed_at').execute();
    // one row per assessment: one per event
    expect(stored).toHaveLength(14);
    expect(stored.map((a) => a.level)).toEqual(expect.arrayContaining(['MODERATE', 'HIGH']));
    expect(stored.every((a) => a.trigger?.includes('job_completed') || a.trigger?.includes('check_in'))).toBe(true);
    expect(stored.at(-1)).toMatchObject({ level: 'HIGH' });
    expect((stored.at(-1)!.factors as any[]).map((f) => f.name)).toContain('hours_last_7d');
  });

  it('treats a check-in of 3 or lower as HIGH at once; re-escalates only after the risk dropped and the cool-down passed', async () => {
    const supervisor = `supervisor-${randomUUID()}@example.com`;
    const worker = await createWorker(system.db, { locale: 'bn', supervisorEmail: supervisor });
    const checkIn = (score: number) => postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}/check-in`, { score, text: 'ক্লান্ত লাগছে' }, API_KEY);

    expect((await checkIn(2)).status).toBe(202);
    const high = await stateAfter(worker.id, 1);
    expect(high.risk).toMatchObject({ level: 'HIGH', override: 'check_in_at_or_below_threshold' });
    await eventually(async () => mailsTo(supervisor).length === 1);
    const [check] = await eventually(async () => {
      const rows = await burnoutChecks(worker.id);
      return rows.length === 2 && rows;
    });
    expect(check.locale).toBe('bn');

    // dropped and rose again inside the cool-down: no second escalation
    await checkIn(9);
    expect((await stateAfter(worker.id, 2)).risk.level).toBe('LOW');
    await checkIn(1);
    expect((await stateAfter(worker.id, 3)).risk.level).toBe('HIGH');
    await sleep(1000);
    expect(mailsTo(supervisor)).toHaveLength(1);

    // after the cool-down, a new episode escalates again
    await sleep(COOLDOWN_SECONDS * 1000);
    await checkIn(9);
    await checkIn(3);
    const again = await stateAfter(worker.id, 5);
    expect(again.metrics.escalations).toBe(2);
    await eventually(async () => mailsTo(supervisor).length === 2);
    await eventually(async () => (await burnoutChecks(worker.id)).length === 4);
  });

  it('still checks in with a worker who has no supervisor on record', async () => {
    const worker = await createWorker(system.db, { locale: 'en', supervisorEmail: null });
    await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}/check-in`, { score: 0 }, API_KEY);
    await eventually(async () => (await burnoutChecks(worker.id)).length === 2);
    const state = await stateAfter(worker.id, 1);
    expect(state.metrics.escalations).toBe(1);
    expect(await system.db.selectFrom('supervisor_alerts').selectAll().where('worker_id', '=', worker.id).execute()).toEqual([]);
  });
});
