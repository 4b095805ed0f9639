import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { JobCompletedSignal } from '../../src/coachnova/events';
import type { CoachingSettings } from '../../src/coachnova/settings';
import { endOfQuietHours } from '../../src/core/local-time';
import { checkInSignal, COACHING_SESSION_WORKFLOW, jobCompletedSignal, sessionStateQuery } from '../../src/workflows/coachnova/definitions';
import type { coachingSession } from '../../src/workflows/coachnova/session';
import { DHAKA } from '../coachnova/fixtures';
import { eventually, SAFE, startWorkflowHarness, type WorkflowHarness } from './harness';
import { coachingActivities as activities, testCoachingSettings } from './coaching-activities';

/**
 * A coaching message's steps when something goes wrong, on mocked activities: the email fails,
 * no safe text can be written, the message cannot be stored, and quiet hours fall on a step.
 */

let harness: WorkflowHarness;
let base: CoachingSettings;
/** What the sessions logged: each failure here is logged on purpose, and asserted rather than printed. */
const logged: LogEntry[] = [];
const loggedFor = (workflowId: string) => logged.filter((e) => e.meta?.workflowId === workflowId).map((e) => [e.message, e.meta?.error]);
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR', (entry) => logged.push(entry)), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  harness = await startWorkflowHarness();
  base = testCoachingSettings(harness.config);
});
afterAll(async () => {
  await harness?.close();
});

const HOUR = 3_600_000;
const hhmm = (at: Date) => at.toLocaleTimeString('en-GB', { timeZone: DHAKA, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
/** Quiet hours (Dhaka) from an hour ago to an hour from now. */
const quietNow = () => ({ quietHoursStart: hhmm(new Date(Date.now() - HOUR)), quietHoursEnd: hhmm(new Date(Date.now() + HOUR)) });
/** A failure Temporal does not retry, as an activity throws it after its last attempt. */
const failing = (message: string) => jest.fn().mockRejectedValue(ApplicationFailure.nonRetryable(message, 'TestFailure'));

function start(taskQueue: string, settings: CoachingSettings) {
  const workerId = randomUUID();
  return harness.client.workflow.start<typeof coachingSession>(COACHING_SESSION_WORKFLOW, { workflowId: `coaching-test-${workerId}`, taskQueue, args: [{ workerId, settings }] });
}
type Handle = Awaited<ReturnType<typeof start>>;
const state = (handle: Handle) => handle.query(sessionStateQuery);
type View = Awaited<ReturnType<typeof state>>;
/** The session's view once it has processed `events` signals and `settled` holds. */
const afterEvents = (handle: Handle, events: number, settled: (view: View) => boolean = () => true, timeoutMs?: number) =>
  eventually(async () => {
    const s = await state(handle);
    return s.metrics?.events_processed === events && settled(s) && s;
  }, timeoutMs);
const nonePending = (view: View) => view.pending_messages.length === 0;

const badJob = (): JobCompletedSignal => ({
  booking_id: randomUUID(),
  rating: 1,
  feedback: null,
  started_at: new Date(Date.now() - 2 * HOUR).toISOString(),
  finished_at: new Date(Date.now() - HOUR).toISOString(),
  minutes_late: 0,
});

describe('email failure', () => {
  it('marks the EMAIL row failed with the reason and still awaits the in-app acknowledgement; the reminder goes by email', async () => {
    const settings = { ...base, ackReminderSeconds: 1, ackTimeoutSeconds: 600 };
    const acts = activities(settings, { sendMessageEmail: failing('550 mailbox unavailable') }, true);
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, settings);
      await handle.signal(jobCompletedSignal, badJob());
      const pending = await eventually(async () => (await state(handle)).pending_messages.find((p) => p.message_ids.length === 3));
      expect(pending).toMatchObject({ stage: 'AWAITING_ACK', reminded: true, message_ids: ['msg-1', 'msg-2', 'msg-3'] });
      await handle.terminate('test done');
    });
    expect(acts.recordMessage.mock.calls.map(([m]) => m.channel)).toEqual(['IN_APP', 'EMAIL', 'EMAIL']);
    expect(acts.sendMessageEmail.mock.calls.map(([m]) => m.messageId)).toEqual(['msg-2', 'msg-3']);
    expect(acts.markMessageFailed.mock.calls).toEqual([[{ messageId: 'msg-2', error: '550 mailbox unavailable' }], [{ messageId: 'msg-3', error: '550 mailbox unavailable' }]]);
    expect(acts.markInAppDelivered).toHaveBeenCalledWith({ messageId: 'msg-1' });
  });

  it('carries on when even marking the email failed fails', async () => {
    const acts = activities(base, { sendMessageEmail: failing('connection refused'), markMessageFailed: failing('database down') }, true);
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, base);
      await handle.signal(jobCompletedSignal, badJob());
      await eventually(async () => (await state(handle)).pending_messages.find((p) => p.stage === 'AWAITING_ACK'));
      await handle.signal(checkInSignal, { score: 8, text: null, at: new Date().toISOString() });
      expect((await afterEvents(handle, 2)).pending_messages).toEqual([expect.objectContaining({ message_ids: ['msg-1', 'msg-2'] })]);
      expect(loggedFor(handle.workflowId)).toEqual([['coachnova: marking the email failed failed after retries', 'database down']]);
      await handle.terminate('test done');
    });
    expect(acts.markMessageFailed).toHaveBeenCalledTimes(1);
  });
});

describe('no safe message', () => {
  const UNSAFE = { safe: false, checks: [{ name: 'pii', passed: false }] };

  it('drops a tip whose every draft and the template are rejected, and gives its daily slot back', async () => {
    const settings = { ...base, dailyMessageCap: 1 };
    // the first tip: draft, regenerated draft and template all rejected; then all safe
    const checkSafety = jest.fn().mockResolvedValueOnce(UNSAFE).mockResolvedValueOnce(UNSAFE).mockResolvedValueOnce(UNSAFE).mockResolvedValue(SAFE);
    const acts = activities(settings, { checkSafety });
    const [first, second] = [badJob(), badJob()];
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, settings);
      await handle.signal(jobCompletedSignal, first);
      const dropped = await afterEvents(handle, 1, (v) => checkSafety.mock.calls.length === 3 && nonePending(v));
      expect(dropped.pending_messages).toEqual([]);
      expect(dropped.metrics).toMatchObject({ messages_today: 0, skipped_by_daily_cap: 0 });
      await handle.signal(jobCompletedSignal, second);
      expect((await afterEvents(handle, 2, (v) => v.pending_messages.some((p) => p.stage === 'AWAITING_ACK'))).metrics).toMatchObject({ messages_today: 1 });
      expect(loggedFor(handle.workflowId)).toEqual([['coachnova: no safe message could be composed', 'no safe coachnova/COACHING/en message: the approved template failed pii']]);
      await handle.terminate('test done');
    });
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'safety_rejected' }));
    expect(acts.recordMessage.mock.calls.map(([m]) => m.idempotencyKey)).toEqual([`coachnova:coaching:${second.booking_id}:in_app`]);
  });

  it('drops a tip when the model and the template are both unavailable', async () => {
    const acts = activities(base, { generateDraft: failing('model down'), renderTemplateDraft: failing('templates unreadable') });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, base);
      await handle.signal(jobCompletedSignal, badJob());
      const view = await afterEvents(handle, 1, (v) => acts.renderTemplateDraft.mock.calls.length === 1 && nonePending(v));
      expect(view.pending_messages).toEqual([]);
      expect(view.metrics).toMatchObject({ messages_today: 0 });
      expect(loggedFor(handle.workflowId)).toEqual([['coachnova: no safe message could be composed', 'templates unreadable']]);
      await handle.terminate('test done');
    });
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'llm_unavailable' }));
    expect(acts.recordMessage).not.toHaveBeenCalled();
  });

  it('sends the template when only the model is unavailable', async () => {
    const acts = activities(base, { generateDraft: failing('model down') });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, base);
      await handle.signal(jobCompletedSignal, badJob());
      await eventually(async () => (await state(handle)).pending_messages.find((p) => p.stage === 'AWAITING_ACK'));
      await handle.terminate('test done');
    });
    expect(acts.recordMessage.mock.calls[0][0].composed).toMatchObject({ model: 'template', draft: { subject: 'Template tip' } });
  });
});

it('forgets a tip that cannot be stored, and carries on', async () => {
  const acts = activities(base, { recordMessage: failing('database down') });
  await harness.withWorker(acts, async (taskQueue) => {
    const handle = await start(taskQueue, base);
    await handle.signal(jobCompletedSignal, badJob());
    const view = await afterEvents(handle, 1, (v) => acts.recordMessage.mock.calls.length === 1 && nonePending(v));
    expect(view.pending_messages).toEqual([]);
    await handle.signal(checkInSignal, { score: 8, text: null, at: new Date().toISOString() });
    await afterEvents(handle, 2);
    expect(loggedFor(handle.workflowId)).toEqual([['coachnova: storing the message failed after retries', 'database down']]);
    await handle.terminate('test done');
  });
  expect(acts.recordMessage).toHaveBeenCalledTimes(1);
  expect(acts.markInAppDelivered).not.toHaveBeenCalled();
});

describe('quiet hours', () => {
  /**
   * A tip sent by day in run 1; run 2 (continue-as-new after one event) takes up settings whose
   * quiet hours have begun, so the reminder falls in them.
   */
  function dayThenNight(ackTimeoutSeconds: number) {
    const day = { ...base, ackReminderSeconds: 1, ackTimeoutSeconds, maxEventsPerRun: 1 };
    const night = { ...day, ...quietNow(), maxEventsPerRun: 100 };
    return { day, night, acts: activities(night) };
  }

  it('a reminder due at night waits for the end of the quiet hours', async () => {
    const { day, night, acts } = dayThenNight(4 * 3600);
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, day);
      await handle.signal(jobCompletedSignal, badJob());
      await eventually(async () => (await state(handle)).metrics?.runs === 2);
      const deferred = await eventually(async () => (await state(handle)).pending_messages.find((p) => Date.parse(p.due_at) > Date.now() + 60_000));
      expect(deferred).toMatchObject({ stage: 'AWAITING_ACK', reminded: false, due_at: endOfQuietHours(new Date(), DHAKA, night.quietHoursStart, night.quietHoursEnd).toISOString() });
      await handle.terminate('test done');
    });
    expect(acts.recordMessage).toHaveBeenCalledTimes(1);
  });

  it('no reminder when the night outlasts the wait: the message is recorded IGNORED at its timeout', async () => {
    const { day, acts } = dayThenNight(3);
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, day);
      await handle.signal(jobCompletedSignal, badJob());
      await eventually(async () => acts.recordMessageResponse.mock.calls.length > 0 && (await state(handle)).pending_messages.length === 0);
      await handle.terminate('test done');
    });
    expect(acts.recordMessage).toHaveBeenCalledTimes(1);
    expect(acts.recordMessageResponse.mock.calls).toEqual([[expect.objectContaining({ messageId: 'msg-1', response: 'IGNORED' })]]);
  });

  /**
   * Quiet hours have minute resolution, so this waits for a minute to turn (30 s on average):
   * the supervisor alert, sent between the burnout check being queued and its turn to go out,
   * returns only after the quiet hours have begun.
   */
  it('a burnout check whose turn comes after the quiet hours began waits for their end', async () => {
    const MINUTE = 60_000;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // the alert's activity may take at most 30 s: begin no more than 25 s before the minute turns
    if (MINUTE - (Date.now() % MINUTE) > 25_000) await sleep(MINUTE - (Date.now() % MINUTE) - 25_000);
    const quietStart = Math.ceil(Date.now() / MINUTE) * MINUTE;
    const settings = { ...base, quietHoursStart: hhmm(new Date(quietStart)), quietHoursEnd: hhmm(new Date(quietStart + HOUR)) };
    const acts = activities(settings, { sendSupervisorAlert: jest.fn(() => sleep(quietStart + 500 - Date.now())) });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, settings);
      await handle.signal(checkInSignal, { score: 1, text: null, at: new Date().toISOString() });
      const view = await afterEvents(handle, 1, (v) => v.pending_messages.length > 0, 60_000);
      expect(view.pending_messages).toEqual([expect.objectContaining({ type: 'BURNOUT_CHECK', stage: 'SCHEDULED', due_at: new Date(quietStart + HOUR).toISOString() })]);
      await handle.terminate('test done');
    });
    expect(acts.sendSupervisorAlert).toHaveBeenCalledTimes(1);
    expect(acts.recordMessage).not.toHaveBeenCalled();
  }, 90_000);
});
