import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { coachingSettingsFromConfig } from '../../src/coachnova/settings';
import { COACHING_SESSION_WORKFLOW } from '../../src/workflows/coachnova/definitions';
import type { coachingSession } from '../../src/workflows/coachnova/session';
import { postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { loadHistory, recordHistory } from '../helpers/history-files';
import { encryptedDataConverter, payloadKeys } from '../../src/temporal/codec/data-converter';
import { EncryptionCodec } from '../../src/temporal/codec/encryption-codec';
import { decryptedHistory } from '../helpers/history-codec';
import { API_KEY, coachnovaMessages, createWorker, getWorkerState, postJobCompleted, quietHoursAwayFromNow } from './fixtures';

/**
 * End to end (API, database, SMTP): a session fed a few dozen events continues-as-new several
 * times (every 8 events, or when the dev server suggests it at ~60 history events) and keeps its
 * state; its histories replay against the current workflow code. Runs on the template writer (no
 * OpenAI key), so the first run also holds a tip and an escalation. The session's decisions
 * around continue-as-new (what is carried, settings taken up) are tested fast, on mocked
 * activities, in test/workflows/coaching-session.test.ts.
 */
const HISTORIES = join(__dirname, 'histories');
/** Recorded before the database steps became local activities (issue 16): replayed, never re-recorded. */
const EARLIER_HISTORIES = [join(HISTORIES, 'coaching-session-run-1.json'), join(HISTORIES, 'coaching-session-run-2.json')];
/** What `RECORD_HISTORIES=1` writes: today's first two runs, database steps as local activities. */
const RECORDED_HISTORIES = [join(HISTORIES, 'coaching-session-local-steps-run-1.json'), join(HISTORIES, 'coaching-session-local-steps-run-2.json')];
const SAVED_HISTORIES = [...EARLIER_HISTORIES, ...RECORDED_HISTORIES];
const EVENTS = 30;
const WINDOW_MAX_JOBS = 15;
const CANCELLATIONS = 3;
const HOUR = 3_600_000;

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ env: { ...quietHoursAwayFromNow(), CN_WINDOW_MAX_JOBS: String(WINDOW_MAX_JOBS), CN_DAILY_MESSAGE_CAP: '10', CN_MAX_EVENTS_PER_RUN: '8' } });
});
afterAll(async () => {
  await system?.stop();
});

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

function sessionRuns(workflowId: string) {
  return eventually(async () => {
    const runs: HistoryAndWorkflowId[] = [];
    for await (const run of system.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }).intoHistories()) runs.push(run);
    return runs.length > 1 && runs;
  });
}

describe('CoachNova session over a few dozen events', () => {
  let workerId: string;
  let firstBooking: string;

  it('continues-as-new and keeps its state', async () => {
    const worker = await createWorker(system.db, { locale: 'bn' });
    workerId = worker.id;
    firstBooking = randomUUID();
    const first = await postJobCompleted(system, workerId, { booking_id: firstBooking, rating: 1, feedback: 'খুব দেরি করেছে' });
    expect(first.status).toBe(202);
    await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${workerId}/check-in`, { score: 2 }, API_KEY);
    await eventually(async () => (await coachnovaMessages(system.db, workerId)).length === 4); // tip + check, in app and by email
    const handle = system.client.workflow.getHandle(`coaching-${workerId}`);
    const firstRunId = (await handle.describe()).runId;

    // good jobs (no tips; more than the window keeps), a few cancellations and a reassuring check-in
    const jobs = Array.from({ length: EVENTS - 3 - CANCELLATIONS }, (_, i) => ({ booking_id: randomUUID(), rating: 5, finished_at: new Date(Date.now() - (i + 1) * 0.9 * HOUR).toISOString() }));
    await inBatches(jobs, 8, (job) => postJobCompleted(system, workerId, job));
    const cancellations = Array.from({ length: CANCELLATIONS }, () => randomUUID());
    await inBatches(cancellations, 8, (booking_id) => postJson(`${system.baseUrl}/internal/ai/coachnova/events`, { type: 'job_cancelled', worker_id: workerId, booking_id }, API_KEY));
    await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${workerId}/check-in`, { score: 8 }, API_KEY);

    const state = await eventually(async () => {
      const res = await getWorkerState(system, workerId);
      return res.body.metrics?.events_processed === EVENTS && res.body;
    }, 60_000);
    expect(state.metrics.runs).toBeGreaterThan(3);
    expect(state.metrics).toMatchObject({ jobs_in_window: WINDOW_MAX_JOBS, cancellations_7d: CANCELLATIONS, latest_check_in_score: 8, escalations: 1 });
    expect(state.risk.level).not.toBe('HIGH');
    expect(state.pending_messages.map((p: any) => p.type).sort()).toEqual(['BURNOUT_CHECK', 'COACHING']); // awaiting acks, carried along

    const description = await handle.describe();
    expect(description.runId).not.toBe(firstRunId);
    expect(description.status.name).toBe('RUNNING');
    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(200);

    // a repeated completion of the first (already coached) booking is still recognised
    await postJobCompleted(system, workerId, { booking_id: firstBooking, rating: 1 });
    await eventually(async () => (await getWorkerState(system, workerId)).body.metrics.events_processed === EVENTS + 1);
    expect(await coachnovaMessages(system.db, workerId)).toHaveLength(4);

    const stored = await system.db.selectFrom('burnout_assessments').select((eb) => eb.fn.countAll<string>().as('n')).where('worker_id', '=', workerId).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBeGreaterThan(3);
  }, 120_000);

  it('replays every run of the session, and the saved histories, against the current workflow code', async () => {
    const runs = await sessionRuns(`coaching-${workerId}`);
    // the first two runs: a tip, an escalation, and pending messages carried into run 2
    const started = (r: HistoryAndWorkflowId) => (r.history as History).events?.[0]?.workflowExecutionStartedEventAttributes;
    const firstRun = runs.find((r) => !started(r)?.continuedExecutionRunId);
    const secondRun = runs.find((r) => firstRun && started(r)?.continuedExecutionRunId === started(firstRun)?.originalExecutionRunId);
    if (firstRun && secondRun) {
      // saved decrypted: the fixtures must replay on installations with other payload keys
      const codec = new EncryptionCodec(payloadKeys(system.config));
      recordHistory(RECORDED_HISTORIES[0], await decryptedHistory(firstRun.history as History, codec));
      recordHistory(RECORDED_HISTORIES[1], await decryptedHistory(secondRun.history as History, codec));
    }
    // every history kept in the folder, and at least the four named above (a missing one fails here)
    for (const file of SAVED_HISTORIES) expect(existsSync(file)).toBe(true);
    const saved = readdirSync(HISTORIES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ workflowId: `saved-${f}`, history: loadHistory(join(HISTORIES, f)) }));

    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, dataConverter: encryptedDataConverter(system.config) }, [...runs, ...saved])) {
      results.push(result);
    }
    expect(results).toHaveLength(runs.length + saved.length);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error}`)).toEqual([]);
  }, 120_000);
});

describe('CoachNova settings across continue-as-new', () => {
  it("takes up the worker's current configuration when it continues as new", async () => {
    const worker = await createWorker(system.db);
    const current = coachingSettingsFromConfig(system.config);
    // a session started under an older configuration: other cap, and a short run to reach continue-as-new soon
    const old = { ...current, dailyMessageCap: current.dailyMessageCap + 7, maxEventsPerRun: 2 };
    const handle = await system.client.workflow.start<typeof coachingSession>(COACHING_SESSION_WORKFLOW, {
      workflowId: `coaching-${worker.id}`,
      taskQueue: system.taskQueue,
      args: [{ workerId: worker.id, settings: old }],
    });
    for (let i = 0; i < 2; i++) {
      await postJobCompleted(system, worker.id, { booking_id: randomUUID(), rating: 5, finished_at: new Date(Date.now() - (i + 1) * HOUR).toISOString() });
    }
    const runs = await sessionRuns(handle.workflowId);
    // history holds encrypted payloads: decrypt before reading the input
    const codec = new EncryptionCodec(payloadKeys(system.config));
    const settingsOf = async (run: HistoryAndWorkflowId) => {
      const payload = (run.history as History).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const [plain] = await codec.decode([payload!]);
      return defaultPayloadConverter.fromPayload<{ settings: typeof current }>(plain).settings;
    };
    const started = await Promise.all(runs.map(settingsOf));
    expect(started).toContainEqual(old);
    expect(started).toContainEqual(current);
  }, 60_000);
});
