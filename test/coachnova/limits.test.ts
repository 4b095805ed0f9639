import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { coachnovaMessages, createWorker, DHAKA, getWorkerState, postJobCompleted, sleep } from './fixtures';

/**
 * Quiet hours are whole minutes (HH:MM), so this file's quiet hours started two minutes ago and
 * end at the first full minute at least 30 s from now (room for a slow start): the tips wait up to 90 s.
 */
const hhmm = (d: Date) => d.toLocaleTimeString('en-GB', { timeZone: DHAKA, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const started = Date.now();
const quietEnd = new Date(Math.ceil((started + 30_000) / 60_000) * 60_000);

let openai: TestOpenAiServer;
let system: TestSystem;

beforeAll(async () => {
  openai = await startOpenAiServer();
  system = await startTestSystem({
    env: {
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: openai.baseUrl,
      CN_QUIET_HOURS_START: hhmm(new Date(started - 120_000)),
      CN_QUIET_HOURS_END: hhmm(quietEnd),
      CN_DAILY_MESSAGE_CAP: '2',
      CN_ASSESSMENT_INTERVAL_SECONDS: '5',
    },
  });
});
afterAll(async () => {
  await system?.stop();
  await openai?.close();
});

describe('CoachNova quiet hours and daily cap', () => {
  it('holds tips until the quiet hours end, then sends no more than the daily cap', async () => {
    const worker = await createWorker(system.db, { locale: 'en' });
    for (const rating of [1, 2, 3]) await postJobCompleted(system, worker.id, { rating });

    const waiting = await eventually(async () => {
      const res = await getWorkerState(system, worker.id);
      return res.body.pending_messages?.length === 3 && res.body;
    });
    expect(waiting.pending_messages.every((p: any) => p.stage === 'SCHEDULED' && p.due_at === quietEnd.toISOString())).toBe(true);
    await sleep(1000);
    expect(await coachnovaMessages(system.db, worker.id)).toEqual([]);
    expect(Date.now()).toBeLessThan(quietEnd.getTime());

    // after the quiet hours: two tips (each in the app and by email), the third dropped by the cap
    const sent = await eventually(async () => {
      const rows = await coachnovaMessages(system.db, worker.id);
      return rows.length === 4 && rows.every((r) => r.delivery_status !== 'PENDING') && rows;
    }, 100_000);
    expect(sent.every((r) => r.created_at.getTime() >= quietEnd.getTime())).toBe(true);
    const after = await eventually(async () => {
      const res = await getWorkerState(system, worker.id);
      return res.body.metrics.skipped_by_daily_cap === 1 && res.body;
    });
    expect(after.metrics.messages_today).toBe(2);
    expect(after.pending_messages.map((p: any) => p.stage)).toEqual(['AWAITING_ACK', 'AWAITING_ACK']);

    // the cap holds for the rest of the day
    await postJobCompleted(system, worker.id, { rating: 1 });
    await eventually(async () => (await getWorkerState(system, worker.id)).body.metrics.skipped_by_daily_cap === 2);
    expect(await coachnovaMessages(system.db, worker.id)).toHaveLength(4);

    // ... per worker: another worker still gets a tip at once
    const other = await createWorker(system.db, { locale: 'en' });
    await postJobCompleted(system, other.id, { rating: 2 });
    await eventually(async () => (await coachnovaMessages(system.db, other.id)).length === 2, 10_000);
  }, 150_000);

  it('re-assesses on its timer when no event comes', async () => {
    const worker = await createWorker(system.db);
    await postJobCompleted(system, worker.id, { rating: 5 });
    const timed = await eventually(async () => {
      const rows = await system.db.selectFrom('burnout_assessments').selectAll().where('worker_id', '=', worker.id).where('trigger', '=', 'timer').orderBy('assessed_at').execute();
      return rows.length >= 2 && rows;
    }, 20_000);
    expect(timed[1].assessed_at.getTime() - timed[0].assessed_at.getTime()).toBeGreaterThanOrEqual(4_900);
  }, 30_000);
});
