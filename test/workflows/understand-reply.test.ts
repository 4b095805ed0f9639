import { randomUUID } from 'node:crypto';
import type { CoachingSettings } from '../../src/coachnova/settings';
import { COACHING_SESSION_WORKFLOW, sessionStateQuery } from '../../src/workflows/coachnova/definitions';
import type { coachingSession } from '../../src/workflows/coachnova/session';
import { UNDERSTAND_REPLY_WORKFLOW, type UnderstandReplyInput } from '../../src/workflows/replies/definitions';
import type { understandReply } from '../../src/workflows/replies/understand';
import { coachingActivities, testCoachingSettings } from './coaching-activities';
import { eventually, startWorkflowHarness, type WorkflowHarness } from './harness';

/** What a reply leads to, decided by the reply workflow on mocked activities (DESIGN.md "Replies understood"). */

let harness: WorkflowHarness;
let settings: CoachingSettings;
beforeAll(async () => {
  harness = await startWorkflowHarness();
  settings = testCoachingSettings(harness.config);
});
afterAll(async () => {
  await harness?.close();
});

function replyActivities(understood: { intent: string; agent: 'smartengage' | 'coachnova'; checkIn: { workflowId: string; score: number; at: string } | null }) {
  return {
    classifyStoredReply: jest.fn().mockResolvedValue(understood),
    revokeConsentForReply: jest.fn().mockResolvedValue({ found: true }),
    recordReplyOutcome: jest.fn().mockResolvedValue(undefined),
  };
}

function understand(taskQueue: string, input: UnderstandReplyInput) {
  return harness.client.workflow.execute<typeof understandReply>(UNDERSTAND_REPLY_WORKFLOW, { workflowId: `reply-test-${input.replyId}`, taskQueue, args: [input] });
}

it('an opt-out turns marketing consent off at once, then records the outcome', async () => {
  const acts = replyActivities({ intent: 'opt_out', agent: 'smartengage', checkIn: null });
  const replyId = randomUUID();
  expect(await harness.withWorker(acts, (taskQueue) => understand(taskQueue, { replyId }))).toEqual({ intent: 'opt_out' });
  expect(acts.revokeConsentForReply).toHaveBeenCalledWith({ replyId });
  expect(acts.recordReplyOutcome).toHaveBeenCalledWith({ replyId });
  expect(acts.revokeConsentForReply.mock.invocationCallOrder[0]).toBeLessThan(acts.recordReplyOutcome.mock.invocationCallOrder[0]);
});

it("a worker's worried reply counts as a check-in in their running session, with the reply's correlation id", async () => {
  const workerId = randomUUID();
  const sessionId = `coaching-test-${workerId}`;
  const acts = { ...coachingActivities(settings), ...replyActivities({ intent: 'other', agent: 'coachnova', checkIn: { workflowId: sessionId, score: 5, at: new Date().toISOString() } }) };
  await harness.withWorker(acts, async (taskQueue) => {
    const session = await harness.client.workflow.start<typeof coachingSession>(COACHING_SESSION_WORKFLOW, { workflowId: sessionId, taskQueue, args: [{ workerId, settings }] });
    expect(await understand(taskQueue, { replyId: randomUUID(), correlationId: 'corr-reply-1' })).toEqual({ intent: 'other' });
    const view = await eventually(async () => {
      const s = await session.query(sessionStateQuery);
      return s.metrics?.latest_check_in_score === 5 && s;
    });
    expect(view.risk!.factors.find((f) => f.name === 'check_in_score')).toMatchObject({ value: 5 });
    await eventually(async () => acts.storeBurnoutAssessments.mock.calls.flatMap(([b]) => b.assessments).some((a: any) => a.trigger === 'check_in'));
    await session.terminate('test done');
  });
  const assessment = acts.storeBurnoutAssessments.mock.calls.flatMap(([b]) => b.assessments).find((a: any) => a.trigger === 'check_in');
  expect(assessment).toMatchObject({ correlationId: 'corr-reply-1' });
  expect(acts.revokeConsentForReply).not.toHaveBeenCalled();
});

it('a worried reply whose session has ended: the check-in is not counted, the reply is still recorded', async () => {
  const acts = replyActivities({ intent: 'other', agent: 'coachnova', checkIn: { workflowId: `coaching-gone-${randomUUID()}`, score: 5, at: new Date().toISOString() } });
  const replyId = randomUUID();
  expect(await harness.withWorker(acts, (taskQueue) => understand(taskQueue, { replyId }))).toEqual({ intent: 'other' });
  expect(acts.recordReplyOutcome).toHaveBeenCalledWith({ replyId });
});
