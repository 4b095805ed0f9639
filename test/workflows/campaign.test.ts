import { randomUUID } from 'node:crypto';
import type { CampaignInput, ExperimentArmPlan, SegmentPageMember } from '../../src/smartengage/types';
import {
  approvalDecisionUpdate,
  campaignProgressQuery,
  REENGAGEMENT_WORKFLOW,
  reengagementAwaitingApprovalSignal,
  reengagementOutcomeSignal,
  reengagementStatusQuery,
  SCHEDULED_CADENCE_CHECK_WORKFLOW,
  SMARTENGAGE_CAMPAIGN_WORKFLOW,
} from '../../src/workflows/smartengage/definitions';
import type { scheduledCadenceCheck } from '../../src/workflows/smartengage/scheduled';
import type { smartEngageCampaign } from '../../src/workflows/smartengage/campaign';
import { eventually, startWorkflowHarness, withReminderSteps, type ActivityMocks, type WorkflowHarness } from './harness';

/** The campaign's decisions on mocked activities: paging, children per customer, holdouts, continue-as-new. */

let harness: WorkflowHarness;
beforeAll(async () => {
  harness = await startWorkflowHarness();
});
afterAll(async () => {
  await harness?.close();
});

const LOCAL_DATE = '2026-12-03';
const member = (arm?: ExperimentArmPlan): SegmentPageMember => ({ customerId: randomUUID(), serviceId: randomUUID(), localDate: LOCAL_DATE, ...(arm ? { arm } : {}) });
const arm = (kind: ExperimentArmPlan['kind']): ExperimentArmPlan => ({ id: randomUUID(), name: kind, kind, weight: 1, promptVersion: null, sendTime: null });

function input(overrides: Partial<CampaignInput['settings']> = {}, extra: Partial<CampaignInput> = {}): CampaignInput {
  return {
    campaignId: randomUUID(),
    criteria: { booking_cadence_days: 30, lookback_days: 180, send_window_start: '00:00', send_window_end: '23:59', frequency_cap_hours: 72, page_size: 2, concurrency: 2 } as CampaignInput['criteria'],
    correlationId: randomUUID(),
    settings: {
      pageSize: 2,
      concurrency: 2,
      maxChildrenPerRun: 1000,
      reengagement: {
        sendWindowStart: '00:00',
        sendWindowEnd: '23:59',
        frequencyCapHours: 72,
        attributionWindowSeconds: 1,
        deepLinkTtlHours: 48,
        promoCode: null,
        retry: { initialIntervalMs: 100, maximumAttempts: 2 },
      },
      ...overrides,
    },
    ...extra,
  };
}

/**
 * The segment as pages of the given members (keyset: a page after the cursor), and children
 * that end at once: customers whose id is in `consenting` are claimed; the others are skipped
 * for no consent at send time.
 */
function activities(members: SegmentPageMember[], consenting = new Set<string>(), overrides: ActivityMocks = {}) {
  const mocks = {
    openScheduledCampaign: jest.fn(),
    startCampaignRun: jest.fn().mockResolvedValue(undefined),
    fetchSegmentPage: jest.fn(async (req: { after: string | null; limit: number }) => {
      const from = req.after ? members.findIndex((m) => m.customerId === req.after) + 1 : 0;
      const page = members.slice(from, from + req.limit);
      return { members: page, nextCursor: page.at(-1)?.customerId ?? req.after };
    }),
    saveCampaignProgress: jest.fn().mockResolvedValue(undefined),
    completeCampaign: jest.fn().mockResolvedValue(undefined),
    planSendWindow: jest.fn().mockResolvedValue({ waitMs: 0 }),
    claimContactSlot: jest.fn(async (req: { customerId: string }) => (consenting.has(req.customerId) ? { claimed: true } : { claimed: false, reason: 'no_consent' })),
    loadReminderContext: jest.fn().mockResolvedValue({ locale: 'en', context: { first_name: 'Karim', service_name: 'AC Repair', days_since_last_booking: 40 } }),
    generateDraft: jest.fn().mockResolvedValue({ draft: { subject: 'Hi', body: 'Come back', call_to_action: 'Book' }, model: 'gpt-test', promptVersion: 1, templateId: 't' }),
    checkSafety: jest.fn().mockResolvedValue({ safe: true, checks: [] }),
    openMessageApproval: jest.fn().mockResolvedValue({ wait: false }),
    createReminderDeepLink: jest.fn().mockResolvedValue({ tokenId: 'token', url: 'http://localhost/l/token', expiresAt: new Date().toISOString() }),
    recordMessage: jest.fn(async (m: { userId: string }) => ({ messageId: `message-${m.userId}` })),
    attachReminderDeepLink: jest.fn().mockResolvedValue(undefined),
    sendMessageEmail: jest.fn().mockResolvedValue(undefined),
    recordMessageResponse: jest.fn().mockResolvedValue(undefined),
  };
  return withReminderSteps({ ...mocks, ...overrides } as Record<keyof typeof mocks, jest.Mock>);
}

function start(taskQueue: string, args: CampaignInput) {
  return harness.client.workflow.start<typeof smartEngageCampaign>(SMARTENGAGE_CAMPAIGN_WORKFLOW, { workflowId: `campaign-test-${args.campaignId}`, taskQueue, args: [args] });
}

it('starts one reminder per customer, page by page, and counts what each child reports', async () => {
  const members = [member(), member(), member()];
  const acts = activities(members, new Set([members[0].customerId]));
  const args = input();
  const counts = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, args)).result());
  expect(counts).toEqual({ eligible: 3, started: 3, sent: 1, failed: 0, skipped: 2, skippedReasons: { no_consent: 2 } });
  expect(acts.startCampaignRun).toHaveBeenCalledWith({ campaignId: args.campaignId });
  expect(acts.fetchSegmentPage.mock.calls.map(([r]) => [r.after, r.limit])).toEqual([
    [null, 2],
    [members[1].customerId, 2],
  ]);
  expect(acts.completeCampaign).toHaveBeenCalledWith({ campaignId: args.campaignId, counts });
  expect(acts.sendMessageEmail).toHaveBeenCalledTimes(1);
});

it('with an experiment: a holdout member gets no child (no claim, no message), the others their arm', async () => {
  const holdout = member(arm('holdout'));
  const treated = member(arm('template'));
  const acts = activities([holdout, treated], new Set([treated.customerId]), { renderTemplateDraft: jest.fn().mockResolvedValue({ draft: { subject: 'Hi', body: 'Come back', call_to_action: 'Book' }, model: 'template', promptVersion: 1, templateId: 't' }) });
  const experiment = { experimentId: randomUUID(), arms: [holdout.arm!, treated.arm!] };
  const counts = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input({}, { experiment }))).result());
  expect(counts).toMatchObject({ eligible: 2, started: 1, sent: 1, skipped: 1, skippedReasons: { holdout: 1 } });
  expect(acts.fetchSegmentPage).toHaveBeenCalledWith(expect.objectContaining({ experiment }));
  expect(acts.claimContactSlot.mock.calls.map(([c]) => c.customerId)).toEqual([treated.customerId]);
  expect(acts.generateDraft).not.toHaveBeenCalled(); // the template arm writes no model draft
});

it('a customer another run already handles today is counted already_handled, not contacted twice', async () => {
  const members = [member(), member()];
  const acts = activities(members);
  const counts = await harness.withWorker(acts, async (taskQueue) => {
    // today's reminder for the first customer is already running (the per-day workflow id)
    const earlier = await harness.client.workflow.start(REENGAGEMENT_WORKFLOW, {
      workflowId: `reengage-${members[0].customerId}-${LOCAL_DATE}`,
      taskQueue: `${taskQueue}-elsewhere`,
      args: [],
    });
    const result = await (await start(taskQueue, input({ maxChildrenPerRun: 1000 }))).result();
    await earlier.terminate('test done');
    return result;
  });
  expect(counts).toMatchObject({ eligible: 2, started: 1, skippedReasons: { already_handled: 1, no_consent: 1 } });
  expect(acts.saveCampaignProgress).toHaveBeenCalledWith(expect.objectContaining({ handledElsewhere: [{ customerId: members[0].customerId, workflowId: `reengage-${members[0].customerId}-${LOCAL_DATE}` }] }));
});

it('continues as new after maxChildrenPerRun, carrying cursor and counts, and completes once', async () => {
  const members = Array.from({ length: 5 }, () => member());
  const acts = activities(members);
  const args = input({ maxChildrenPerRun: 3 });
  await harness.withWorker(acts, async (taskQueue) => {
    const handle = await start(taskQueue, args);
    const counts = await handle.result();
    expect(counts).toEqual({ eligible: 5, started: 5, sent: 0, failed: 0, skipped: 5, skippedReasons: { no_consent: 5 } });
    expect((await handle.query(campaignProgressQuery)).runs).toBeGreaterThan(1);
  });
  // the campaign row is opened once (first run) and completed once (last run)
  expect(acts.startCampaignRun).toHaveBeenCalledTimes(1);
  expect(acts.completeCampaign).toHaveBeenCalledTimes(1);
  // every customer asked for once, in order, across runs
  const asked = acts.fetchSegmentPage.mock.calls.map(([r]) => r.after);
  expect(new Set(asked).size).toBe(asked.length);
});

it('a failing page activity stops the campaign and records it FAILED', async () => {
  const acts = activities([], new Set(), { fetchSegmentPage: jest.fn().mockRejectedValue(new Error('segment query timed out')) });
  const args = input();
  await harness.withWorker(acts, async (taskQueue) => {
    await expect((await start(taskQueue, args)).result()).rejects.toThrow();
  });
  expect(acts.completeCampaign).toHaveBeenCalledWith(expect.objectContaining({ campaignId: args.campaignId, status: 'FAILED' }));
});

it('the scheduled cadence check opens its own campaign and runs it as a child to the end', async () => {
  const members = [member()];
  const campaign = input();
  const acts = activities(members, new Set(), { openScheduledCampaign: jest.fn().mockResolvedValue(campaign) });
  const workflowId = `cadence-test-${randomUUID()}`;
  const counts = await harness.withWorker(acts, async (taskQueue) =>
    (await harness.client.workflow.start<typeof scheduledCadenceCheck>(SCHEDULED_CADENCE_CHECK_WORKFLOW, { workflowId, taskQueue, args: [{}] })).result(),
  );
  expect(acts.openScheduledCampaign).toHaveBeenCalledWith(expect.objectContaining({ criteria: {}, correlationId: workflowId }));
  expect(acts.startCampaignRun).toHaveBeenCalledWith({ campaignId: campaign.campaignId });
  expect(counts).toMatchObject({ eligible: 1, skipped: 1 });
});

const childId = (m: SegmentPageMember) => `reengage-${m.customerId}-${LOCAL_DATE}`;

it('max_customers bounds the segment: the last page asks only for what is left, and no page after it', async () => {
  const members = Array.from({ length: 5 }, () => member());
  const acts = activities(members);
  const args = input({}, { criteria: { ...input().criteria, max_customers: 3 } });
  const counts = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, args)).result());
  expect(acts.fetchSegmentPage.mock.calls.map(([r]) => r.limit)).toEqual([2, 1]);
  expect(counts).toMatchObject({ eligible: 3, started: 3, skipped: 3 });
  expect(acts.claimContactSlot.mock.calls.map(([c]) => c.customerId).sort()).toEqual(members.slice(0, 3).map((m) => m.customerId).sort());
});

it('a child that fails outright (no safe message, no report) is counted failed from its result', async () => {
  const members = [member()];
  const unsafe = { safe: false, checks: [{ name: 'profanity', passed: false }] };
  const acts = activities(members, new Set([members[0].customerId]), {
    checkSafety: jest.fn().mockResolvedValue(unsafe),
    renderTemplateDraft: jest.fn().mockResolvedValue({ draft: { subject: 'Hi', body: 'Come back', call_to_action: 'Book' }, model: 'template', promptVersion: 1, templateId: 't' }),
  });
  const counts = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input())).result());
  expect(counts).toEqual({ eligible: 1, started: 1, sent: 0, failed: 1, skipped: 0, skippedReasons: {} });
  expect(acts.sendMessageEmail).not.toHaveBeenCalled();
});

it('cancelled while children run: the row is completed CANCELLED with the counts so far; the running child is cancelled with it and no further customer is started', async () => {
  const members = [member(), member()];
  // the first child waits hours for its send window; concurrency 1 holds the second back
  const acts = activities(members, new Set(), { planSendWindow: jest.fn().mockResolvedValue({ waitMs: 3_600_000 }) });
  const args = input({ concurrency: 1 });
  await harness.withWorker(acts, async (taskQueue) => {
    const handle = await start(taskQueue, args);
    await eventually(async () => (await handle.query(campaignProgressQuery)).inFlight === 1);
    await handle.cancel();
    await expect(handle.result()).rejects.toMatchObject({ cause: { name: 'CancelledFailure' } });
    // ParentClosePolicy.ABANDON is about the campaign closing; a cancellation reaches the children it started
    await expect(harness.client.workflow.getHandle(childId(members[0])).result()).rejects.toMatchObject({ cause: { name: 'CancelledFailure' } });
  });
  expect(acts.completeCampaign).toHaveBeenCalledTimes(1);
  expect(acts.completeCampaign).toHaveBeenCalledWith({ campaignId: args.campaignId, counts: expect.objectContaining({ eligible: 1, started: 1, sent: 0 }), status: 'CANCELLED', error: 'cancelled' });
  expect(acts.planSendWindow.mock.calls.map(([p]) => p.customerId)).toEqual([members[0].customerId]);
  expect(acts.claimContactSlot).not.toHaveBeenCalled();
});

it('a child awaiting approval is carried across continue-as-new; the campaign completes only when it reports', async () => {
  const [held, other] = [member(), member()];
  const waiting = { wait: true, opened: true, reason: 'canary', fallbackTemplateId: 't' };
  const acts = activities([held, other], new Set([held.customerId]), { openMessageApproval: jest.fn().mockResolvedValue(waiting), recordApprovalDecision: jest.fn().mockResolvedValue(undefined) });
  // one customer per page and per run: the campaign continues as new after each page
  const args = input({ pageSize: 1, maxChildrenPerRun: 1, reengagement: { ...input().settings.reengagement, approval: { timeoutSeconds: 600, moderationScore: 0.4, scriptMargin: 0.05 } } });
  await harness.withWorker(acts, async (taskQueue) => {
    const handle = await start(taskQueue, args);
    const progress = await eventually(async () => {
      const p = await handle.query(campaignProgressQuery);
      return p.phase === 'draining' && p.counts.eligible === 2 && p.counts.skipped === 1 && p.awaitingApproval === 1 && p;
    });
    expect(progress.runs).toBeGreaterThan(1);
    expect(progress.counts).toMatchObject({ started: 2, sent: 0, skipped: 1 });
    const child = harness.client.workflow.getHandle(childId(held));
    const { messageId } = await child.query(reengagementStatusQuery);
    await child.executeUpdate(approvalDecisionUpdate, { args: [{ messageId: messageId!, decision: 'approve', decidedBy: 'operator-1' }] });
    const counts = await handle.result();
    expect(counts).toEqual({ eligible: 2, started: 2, sent: 1, failed: 0, skipped: 1, skippedReasons: { no_consent: 1 } });
  });
  expect(acts.startCampaignRun).toHaveBeenCalledTimes(1);
  expect(acts.completeCampaign).toHaveBeenCalledTimes(1);
});

it("a child's reports that arrive before its start is acknowledged are kept and counted once, when it is", async () => {
  const [first, second] = [member(), member()];
  // the first child waits hours for its window, so concurrency 1 holds the second back
  const acts = activities([first, second], new Set(), { planSendWindow: jest.fn(async (p: { customerId: string }) => ({ waitMs: p.customerId === first.customerId ? 3_600_000 : 0 })) });
  const args = input({ concurrency: 1, pageSize: 1 });
  const counts = await harness.withWorker(acts, async (taskQueue) => {
    const handle = await start(taskQueue, args);
    await eventually(async () => (await handle.query(campaignProgressQuery)).inFlight === 1);
    // the second child's reports, as they reach the campaign when the child is quicker than its start's acknowledgement
    await handle.signal(reengagementAwaitingApprovalSignal, { workflowId: childId(second) });
    await handle.signal(reengagementOutcomeSignal, { workflowId: childId(second), status: 'skipped', reason: 'no_consent' });
    expect(await handle.query(campaignProgressQuery)).toMatchObject({ awaitingApproval: 0, counts: { skipped: 0 } });
    // the first child ends without a report: counted failed from its result, and the second starts
    await harness.client.workflow.getHandle(childId(first)).terminate('test: the child fails');
    return handle.result();
  });
  // the second child's own report (skipped, no consent) came again: not counted twice
  expect(counts).toEqual({ eligible: 2, started: 2, sent: 0, failed: 1, skipped: 1, skippedReasons: { no_consent: 1 } });
  expect(acts.claimContactSlot.mock.calls.map(([c]) => c.customerId)).toEqual([second.customerId]);
});
