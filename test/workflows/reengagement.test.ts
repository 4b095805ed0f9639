import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { msUntilSendWindow } from '../../src/core/local-time';
import type { ReengagementInput, ReengagementOutcome } from '../../src/smartengage/types';
import { messageResponseSignal } from '../../src/workflows/shared/signals';
import { APPROVAL_ALREADY_DECIDED, APPROVAL_UNKNOWN, approvalDecisionUpdate, REENGAGEMENT_WORKFLOW, reengagementStatusQuery } from '../../src/workflows/smartengage/definitions';
import type { reengageCustomer } from '../../src/workflows/smartengage/reengagement';
import { draft, eventually, SAFE, startWorkflowHarness, withReminderSteps, type ActivityMocks, type WorkflowHarness } from './harness';

/** One customer's reminder, decided by the workflow on mocked activities (fast: no database, SMTP or model). */

let harness: WorkflowHarness;
beforeAll(async () => {
  harness = await startWorkflowHarness();
});
afterAll(async () => {
  await harness?.close();
});

function input(overrides: Partial<ReengagementInput['settings']> = {}, extra: Partial<ReengagementInput> = {}): ReengagementInput {
  return {
    customerId: randomUUID(),
    serviceId: randomUUID(),
    campaignId: null,
    correlationId: randomUUID(),
    settings: {
      sendWindowStart: '10:00',
      sendWindowEnd: '20:00',
      frequencyCapHours: 72,
      attributionWindowSeconds: 1,
      deepLinkTtlHours: 48,
      promoCode: null,
      retry: { initialIntervalMs: 100, maximumAttempts: 2 },
      approval: { timeoutSeconds: 30, moderationScore: 0.4, scriptMargin: 0.05 },
      ...overrides,
    },
    ...extra,
  };
}

/** Activities of a reminder that goes out at once; each test overrides what it decides on. */
function activities(overrides: ActivityMocks = {}) {
  const mocks = {
    planSendWindow: jest.fn().mockResolvedValue({ waitMs: 0 }),
    claimContactSlot: jest.fn().mockResolvedValue({ claimed: true }),
    loadReminderContext: jest.fn().mockResolvedValue({ locale: 'en', context: { first_name: 'Karim', service_name: 'AC Repair', days_since_last_booking: 40 } }),
    generateDraft: jest.fn().mockResolvedValue(draft()),
    renderTemplateDraft: jest.fn().mockResolvedValue(draft('Template reminder', 'template')),
    checkSafety: jest.fn().mockResolvedValue(SAFE),
    openMessageApproval: jest.fn().mockResolvedValue({ wait: false }),
    recordApprovalDecision: jest.fn().mockResolvedValue(undefined),
    createReminderDeepLink: jest.fn().mockResolvedValue({ tokenId: 'token-1', url: 'http://localhost/l/token-1', expiresAt: new Date().toISOString() }),
    recordMessage: jest.fn().mockResolvedValue({ messageId: 'message-1' }),
    attachReminderDeepLink: jest.fn().mockResolvedValue(undefined),
    sendMessageEmail: jest.fn().mockResolvedValue(undefined),
    markMessageFailed: jest.fn().mockResolvedValue(undefined),
    recordMessageResponse: jest.fn().mockResolvedValue(undefined),
  };
  return withReminderSteps({ ...mocks, ...overrides } as Record<keyof typeof mocks, jest.Mock>);
}

function start(taskQueue: string, args: ReengagementInput) {
  return harness.client.workflow.start<typeof reengageCustomer>(REENGAGEMENT_WORKFLOW, { workflowId: `reengage-test-${randomUUID()}`, taskQueue, args: [args] });
}

async function timersStarted(handle: { fetchHistory(): Promise<{ events?: any[] | null }> }): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.timerStartedEventAttributes)
    .map((e) => Number(e.timerStartedEventAttributes.startToFireTimeout.seconds ?? 0) * 1000 + Math.round((e.timerStartedEventAttributes.startToFireTimeout.nanos ?? 0) / 1e6));
}

describe('send window', () => {
  const DHAKA = 'Asia/Dhaka';
  const hhmm = (at: Date) => at.toLocaleTimeString('en-GB', { timeZone: DHAKA, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const HOUR = 3_600_000;
  // the plan as the activity computes it (src/core/local-time.ts), for the customer's clock
  const planFor = () => jest.fn(async (req: { windowStart: string; windowEnd: string }) => ({ waitMs: msUntilSendWindow(new Date(), DHAKA, req.windowStart, req.windowEnd) }));

  it('inside the window: claims and sends without a timer', async () => {
    const now = Date.now();
    const acts = activities({ planSendWindow: planFor() });
    const args = input({ sendWindowStart: hhmm(new Date(now - HOUR)), sendWindowEnd: hhmm(new Date(now + 2 * HOUR)) });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'sent', messageId: 'message-1', response: 'IGNORED' });
      // the only timer is the attribution window's (a condition with a timeout)
      expect(await timersStarted(handle)).toEqual([1000]);
    });
    expect(acts.planSendWindow).toHaveBeenCalledWith(expect.objectContaining({ windowStart: args.settings.sendWindowStart, sendTime: 'window' }));
    expect(acts.claimContactSlot).toHaveBeenCalledWith(expect.objectContaining({ customerId: args.customerId, capHours: 72 }));
    expect(acts.sendMessageEmail).toHaveBeenCalledWith({ messageId: 'message-1', marketing: true });
  });

  it.each([
    ['before the window opens', 2, 5],
    ['after the window closed (waits for tomorrow)', -5, -2],
  ])('%s: sleeps until the window opens, nothing claimed meanwhile', async (_name, startInHours, endInHours) => {
    const now = Date.now();
    const acts = activities({ planSendWindow: planFor() });
    const args = input({ sendWindowStart: hhmm(new Date(now + startInHours * HOUR)), sendWindowEnd: hhmm(new Date(now + endInHours * HOUR)) });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      const [timer] = await eventually(async () => {
        const timers = await timersStarted(handle);
        return timers.length > 0 && timers;
      });
      const expected = msUntilSendWindow(new Date(now), DHAKA, args.settings.sendWindowStart, args.settings.sendWindowEnd);
      expect(Math.abs(timer - expected)).toBeLessThan(60_000);
      expect(timer).toBeGreaterThan(startInHours > 0 ? HOUR : 18 * HOUR);
      expect(await handle.query(reengagementStatusQuery)).toMatchObject({ phase: 'waiting_for_window', messageId: null });
      await handle.terminate('test done');
    });
    expect(acts.claimContactSlot).not.toHaveBeenCalled();
  });

  it('a short wait fires and the reminder goes out after it', async () => {
    const acts = activities({ planSendWindow: jest.fn().mockResolvedValue({ waitMs: 700 }) });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      expect((await handle.result()).status).toBe('sent');
      expect(await timersStarted(handle)).toEqual([700, 1000]);
    });
    expect(acts.claimContactSlot.mock.invocationCallOrder[0]).toBeGreaterThan(acts.planSendWindow.mock.invocationCallOrder[0]);
  });
});

describe('consent and frequency cap at send time', () => {
  it.each(['no_consent', 'frequency_cap', 'open_booking'])('a claim refused for %s skips the customer: nothing composed or sent', async (reason) => {
    const acts = activities({ claimContactSlot: jest.fn().mockResolvedValue({ claimed: false, reason }) });
    const result = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input())).result());
    expect(result).toEqual({ workflowId: expect.any(String), status: 'skipped', reason });
    expect(acts.generateDraft).not.toHaveBeenCalled();
    expect(acts.recordMessage).not.toHaveBeenCalled();
    expect(acts.sendMessageEmail).not.toHaveBeenCalled();
  });
});

describe('attribution window', () => {
  it('silence for the whole window is recorded as IGNORED', async () => {
    const acts = activities();
    const result = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input({ attributionWindowSeconds: 1 }))).result());
    expect(result.response).toBe('IGNORED');
    expect(acts.recordMessageResponse).toHaveBeenCalledTimes(1);
    expect(acts.recordMessageResponse).toHaveBeenCalledWith(expect.objectContaining({ messageId: 'message-1', response: 'IGNORED' }));
  });

  it('a click then a booking before the window closes: both recorded, BOOKED ends the wait at once', async () => {
    const acts = activities();
    const at = () => new Date().toISOString();
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, input({ attributionWindowSeconds: 600 }));
      await eventually(async () => (await handle.query(reengagementStatusQuery)).phase === 'awaiting_response');
      await handle.signal(messageResponseSignal, { messageId: 'another-message', response: 'CLICKED', at: at() });
      await handle.signal(messageResponseSignal, { messageId: 'message-1', response: 'CLICKED', at: at() });
      await eventually(async () => (await handle.query(reengagementStatusQuery)).response === 'CLICKED');
      await handle.signal(messageResponseSignal, { messageId: 'message-1', response: 'BOOKED', at: at(), detail: 'booking-1' });
      // the ten-minute window did not have to pass
      expect(await handle.result()).toMatchObject({ status: 'sent', response: 'BOOKED' });
      expect(await handle.query(reengagementStatusQuery)).toEqual({ phase: 'done', messageId: 'message-1', response: 'BOOKED' });
    });
    expect(acts.recordMessageResponse.mock.calls.map(([e]) => e.response)).toEqual(['CLICKED', 'BOOKED']);
    expect(acts.recordMessageResponse).not.toHaveBeenCalledWith(expect.objectContaining({ messageId: 'another-message' }));
  });
});

describe('sending', () => {
  it('a send that fails after its retries marks the message failed and reports failed', async () => {
    const acts = activities({ sendMessageEmail: jest.fn().mockRejectedValue(new Error('550 mailbox unavailable')) });
    const result = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input())).result());
    expect(result).toEqual({ workflowId: expect.any(String), status: 'failed', reason: '550 mailbox unavailable', messageId: 'message-1' });
    expect(acts.sendMessageEmail).toHaveBeenCalledTimes(2); // maximumAttempts from the settings
    expect(acts.markMessageFailed).toHaveBeenCalledWith({ messageId: 'message-1', error: '550 mailbox unavailable' });
    expect(acts.recordMessageResponse).not.toHaveBeenCalled();
  });

  it('records the message under its workflow id with the deep link and promo settings', async () => {
    const acts = activities();
    const args = input({ promoCode: 'COMEBACK10', deepLinkTtlHours: 12 });
    const handle = await harness.withWorker(acts, async (taskQueue) => {
      const h = await start(taskQueue, args);
      await h.result();
      return h;
    });
    expect(acts.createReminderDeepLink).toHaveBeenCalledWith(expect.objectContaining({ customerId: args.customerId, ttlHours: 12, promoCode: 'COMEBACK10', workflowId: handle.workflowId }));
    expect(acts.recordMessage).toHaveBeenCalledWith(
      expect.objectContaining({ idempotencyKey: `${handle.workflowId}:reminder`, deepLink: 'http://localhost/l/token-1', messageType: 'REMINDER', role: 'CUSTOMER', agent: 'smartengage' }),
    );
    expect(acts.attachReminderDeepLink).toHaveBeenCalledWith({ tokenId: 'token-1', messageId: 'message-1' });
  });

  it('a reminder sent at once takes three local activities (claim, safety check, record) and one patch marker', async () => {
    const acts = activities();
    const handle = await harness.withWorker(acts, async (taskQueue) => {
      const h = await start(taskQueue, input());
      await h.result();
      return h;
    });
    const events = (await handle.fetchHistory()).events ?? [];
    const markers = events.flatMap((e) => (e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes.markerName] : []));
    // issue 16: each local activity is a marker event and a workflow activation; the merged
    // steps' patch implies the earlier ones, which new runs therefore no longer record
    expect(markers.filter((m) => m === 'core_local_activity')).toHaveLength(4); // + recordMessageResponse (IGNORED)
    expect(markers.filter((m) => m === 'core_patch')).toHaveLength(1);
    expect(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []))).toEqual(['generateDraft', 'sendMessageEmail']);
    expect(acts.claimReminder).toHaveBeenCalledTimes(1);
    expect(acts.recordReminder).toHaveBeenCalledTimes(1);
  });
});

describe('composing a safe message', () => {
  const unsafe = { safe: false, checks: [{ name: 'profanity', passed: false }] };

  it('a rejected draft is rewritten once, told what failed; a second rejection sends the approved template', async () => {
    const acts = activities({
      checkSafety: jest.fn().mockResolvedValueOnce(unsafe).mockResolvedValueOnce(unsafe).mockResolvedValue(SAFE),
      // the template writer names why it was used (src/messaging/drafts.ts)
      renderTemplateDraft: jest.fn(async (req: { reason: string }) => ({ ...draft('Template reminder', 'template'), fallbackReason: req.reason })),
    });
    await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input())).result());
    expect(acts.generateDraft).toHaveBeenCalledTimes(2);
    expect(acts.generateDraft.mock.calls[1][0]).toMatchObject({ avoid: ['profanity'] });
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'safety_rejected' }));
    const { composed } = acts.recordMessage.mock.calls[0][0];
    expect(composed.model).toBe('template');
    expect(composed.safetyChecks).toMatchObject({ safe: true, attempts: 3, fallback_reason: 'safety_rejected' });
    expect(composed.safetyChecks.rejected.map((r: { attempt: number }) => r.attempt)).toEqual([1, 2]);
  });

  it('a model that stays unavailable after its retries: the approved template is sent', async () => {
    const acts = activities({ generateDraft: jest.fn().mockRejectedValue(new Error('model overloaded')) });
    await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input())).result());
    expect(acts.generateDraft).toHaveBeenCalledTimes(3); // the compose default: three attempts
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'llm_unavailable' }));
    expect(acts.sendMessageEmail).toHaveBeenCalledTimes(1);
  });
});

describe('approval gate', () => {
  const waiting = { wait: true, opened: true, reason: 'canary', fallbackTemplateId: 'tmpl-fallback' };

  async function awaitingApproval(handle: Awaited<ReturnType<typeof start>>): Promise<string> {
    const status = await eventually(async () => {
      const s = await handle.query(reengagementStatusQuery);
      return s.phase === 'awaiting_approval' && s;
    });
    return status.messageId!;
  }

  it('approve: the draft is sent under the id operators saw, the window planned again', async () => {
    const acts = activities({ openMessageApproval: jest.fn().mockResolvedValue(waiting) });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      const messageId = await awaitingApproval(handle);
      expect(acts.recordMessage).not.toHaveBeenCalled();
      const answer = await handle.executeUpdate(approvalDecisionUpdate, { args: [{ messageId, decision: 'approve', decidedBy: 'operator-1', note: 'fine' }] });
      expect(answer).toEqual({ messageId, decision: 'approve', outcome: 'draft_will_be_sent' });
      expect((await handle.result()).status).toBe('sent');
      expect(acts.recordApprovalDecision).toHaveBeenCalledWith({ messageId, decision: 'approve', note: 'fine', decidedBy: 'operator-1' });
      expect(acts.recordMessage).toHaveBeenCalledWith(expect.objectContaining({ messageId, composed: expect.objectContaining({ model: 'gpt-test' }) }));
      const recorded = acts.recordMessage.mock.calls[0][0];
      expect(recorded.composed.safetyChecks.review).toEqual({ reason: 'canary', decision: 'approve', decided_by: 'operator-1', note: 'fine' });
    });
    expect(acts.planSendWindow).toHaveBeenCalledTimes(2);
    expect(acts.renderTemplateDraft).not.toHaveBeenCalled();
  });

  it('reject: the approved template goes out instead, checked for safety; a second decision is refused', async () => {
    const acts = activities({ openMessageApproval: jest.fn().mockResolvedValue(waiting) });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, input({ attributionWindowSeconds: 600 }));
      const messageId = await awaitingApproval(handle);
      const unknown = handle.executeUpdate(approvalDecisionUpdate, { args: [{ messageId: randomUUID(), decision: 'approve', decidedBy: 'operator-1' }] });
      await expect(unknown).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(unknown).rejects.toMatchObject({ cause: { type: APPROVAL_UNKNOWN } });

      const answer = await handle.executeUpdate(approvalDecisionUpdate, { args: [{ messageId, decision: 'reject', decidedBy: 'operator-2' }] });
      expect(answer.outcome).toBe('template_will_be_sent');
      const again = handle.executeUpdate(approvalDecisionUpdate, { args: [{ messageId, decision: 'approve', decidedBy: 'operator-3' }] });
      await expect(again).rejects.toMatchObject({ cause: { type: APPROVAL_ALREADY_DECIDED } });

      await eventually(async () => (await handle.query(reengagementStatusQuery)).phase === 'awaiting_response');
      await handle.terminate('test done');
    });
    expect(acts.recordApprovalDecision).toHaveBeenCalledTimes(1);
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'approval_rejected', templateId: 'tmpl-fallback' }));
    const recorded = acts.recordMessage.mock.calls[0][0];
    expect(recorded.composed.model).toBe('template');
    expect(recorded.composed.safetyChecks).toMatchObject({ safe: true, fallback_reason: 'approval_rejected', review: { decision: 'reject', decided_by: 'operator-2' } });
  });

  it('no decision within the timeout: recorded as a timeout by smartengage, the template is sent', async () => {
    const acts = activities({ openMessageApproval: jest.fn().mockResolvedValue(waiting) });
    const result = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input({ approval: { timeoutSeconds: 1, moderationScore: 0.4, scriptMargin: 0.05 } }))).result());
    expect(result.status).toBe('sent');
    expect(acts.recordApprovalDecision).toHaveBeenCalledWith(expect.objectContaining({ decision: 'timeout', decidedBy: 'smartengage', note: 'no decision within 1 s' }));
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'approval_timeout' }));
  });

  it('an unsafe approved template is never sent: the run fails with NoSafeMessage', async () => {
    const unsafe = { safe: false, checks: [{ name: 'profanity', passed: false }] };
    const acts = activities({
      openMessageApproval: jest.fn().mockResolvedValue(waiting),
      checkSafety: jest.fn().mockResolvedValueOnce(SAFE).mockResolvedValue(unsafe),
    });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, input({ approval: { timeoutSeconds: 1, moderationScore: 0.4, scriptMargin: 0.05 } }));
      await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'NoSafeMessage', message: expect.stringContaining('profanity') } });
    });
    expect(acts.recordMessage).not.toHaveBeenCalled();
    expect(acts.sendMessageEmail).not.toHaveBeenCalled();
  });
});

describe('experiment arms', () => {
  const arm = (kind: 'template' | 'llm', extra = {}) => ({ id: randomUUID(), name: kind, kind, weight: 1, promptVersion: null, sendTime: null, ...extra });

  it('a template arm composes from the approved template only (no model call)', async () => {
    const acts = activities();
    await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input({}, { arm: arm('template') }))).result());
    expect(acts.generateDraft).not.toHaveBeenCalled();
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'experiment_template_arm' }));
  });

  it("an llm arm writes with the arm's prompt version and plans the arm's send time", async () => {
    const acts = activities();
    await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input({}, { arm: arm('llm', { promptVersion: 7, sendTime: 'personal' }) }))).result());
    expect(acts.generateDraft).toHaveBeenCalledWith(expect.objectContaining({ promptVersion: 7 }));
    expect(acts.planSendWindow).toHaveBeenCalledWith(expect.objectContaining({ sendTime: 'personal' }));
  });
});

describe('reporting to the campaign', () => {
  it('a run whose campaign has closed still completes (the outcome signal is best effort)', async () => {
    const acts = activities({ claimContactSlot: jest.fn().mockResolvedValue({ claimed: false, reason: 'inactive' }) });
    const result: ReengagementOutcome = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input({}, { reportTo: `campaign-gone-${randomUUID()}` }))).result());
    expect(result).toMatchObject({ status: 'skipped', reason: 'inactive' });
  });
});

describe('send time and the window after a decision', () => {
  const waiting = { wait: true, opened: true, reason: 'canary', fallbackTemplateId: 'tmpl-fallback' };

  it("without an arm, the campaign's send time is what the window is planned with", async () => {
    const acts = activities();
    await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input({ sendTime: 'personal' }))).result());
    expect(acts.planSendWindow).toHaveBeenCalledWith(expect.objectContaining({ sendTime: 'personal' }));
  });

  it('a decision that comes outside the window: the approved draft waits for the window (claim held), then goes out', async () => {
    const acts = activities({
      openMessageApproval: jest.fn().mockResolvedValue(waiting),
      // inside the window at first; closed by the time the operator decides
      planSendWindow: jest.fn().mockResolvedValueOnce({ waitMs: 0 }).mockResolvedValue({ waitMs: 1500 }),
    });
    const args = input({ sendTime: 'personal' });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      const { messageId } = await eventually(async () => {
        const s = await handle.query(reengagementStatusQuery);
        return s.phase === 'awaiting_approval' && s;
      });
      await handle.executeUpdate(approvalDecisionUpdate, { args: [{ messageId: messageId!, decision: 'approve', decidedBy: 'operator-1' }] });
      // the approved draft is not recorded or sent while the window is closed
      await eventually(async () => (await handle.query(reengagementStatusQuery)).phase === 'waiting_for_window');
      expect(acts.recordMessage).not.toHaveBeenCalled();
      expect(acts.sendMessageEmail).not.toHaveBeenCalled();
      expect(await handle.result()).toMatchObject({ status: 'sent', messageId: 'message-1' });
      expect(await timersStarted(handle)).toEqual([30_000, 1500, 1000]); // decision timeout, window, attribution
    });
    expect(acts.planSendWindow).toHaveBeenCalledTimes(2);
    expect(acts.planSendWindow.mock.calls[1][0]).toMatchObject({ customerId: args.customerId, sendTime: 'personal', holdClaim: { workflowId: expect.any(String), capHours: 72 } });
    expect(acts.sendMessageEmail.mock.invocationCallOrder[0]).toBeGreaterThan(acts.planSendWindow.mock.invocationCallOrder[1]);
  });

  it("an arm's draft held for review: after the decision the window is planned with the arm's send time", async () => {
    const acts = activities({ openMessageApproval: jest.fn().mockResolvedValue(waiting) });
    const arm = { id: randomUUID(), name: 'evening', kind: 'llm' as const, weight: 1, promptVersion: null, sendTime: 'personal' as const };
    const result = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input({ sendTime: 'window', approval: { timeoutSeconds: 1, moderationScore: 0.4, scriptMargin: 0.05 } }, { arm }))).result());
    expect(result.status).toBe('sent');
    expect(acts.planSendWindow.mock.calls.map(([p]) => p.sendTime)).toEqual(['personal', 'personal']);
  });

  it('settings from before the gate existed: the gate is asked with the default review settings', async () => {
    const acts = activities();
    const { approval: _none, ...settings } = input().settings;
    const result = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, { ...input(), settings })).result());
    expect(result.status).toBe('sent');
    expect(acts.openMessageApproval).toHaveBeenCalledWith(expect.objectContaining({ settings: { timeoutSeconds: 24 * 3600, moderationScore: 0.4, scriptMargin: 0.05 } }));
  });

  it('a record step that found its message already recorded (a retried attempt) returns no gate: the run sends without waiting', async () => {
    const acts = activities();
    acts.recordReminder.mockResolvedValue({ messageId: 'message-recorded' });
    const result = await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input())).result());
    expect(result).toMatchObject({ status: 'sent', messageId: 'message-recorded' });
    expect(acts.sendMessageEmail).toHaveBeenCalledWith({ messageId: 'message-recorded', marketing: true });
    expect(acts.recordApprovalDecision).not.toHaveBeenCalled();
  });
});

describe('responses in the attribution window', () => {
  const at = () => new Date().toISOString();

  it('a reply outranks a later click: REPLIED is the outcome, each response recorded', async () => {
    const acts = activities();
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, input({ attributionWindowSeconds: 3 }));
      await eventually(async () => (await handle.query(reengagementStatusQuery)).phase === 'awaiting_response');
      await handle.signal(messageResponseSignal, { messageId: 'message-1', response: 'REPLIED', at: at() });
      await eventually(async () => (await handle.query(reengagementStatusQuery)).response === 'REPLIED');
      await handle.signal(messageResponseSignal, { messageId: 'message-1', response: 'CLICKED', at: at() });
      expect(await handle.result()).toMatchObject({ status: 'sent', response: 'REPLIED' });
    });
    expect(acts.recordMessageResponse.mock.calls.map(([e]) => e.response)).toEqual(['REPLIED', 'CLICKED']);
  });

  it('responses still being recorded when the window ends count; the window is not extended and nothing is IGNORED', async () => {
    let clicks = 0;
    const acts = activities({
      // the first click's record outlasts the one-second window; a second click arrives meanwhile
      recordMessageResponse: jest.fn(async (e: { response: string }) => {
        if (e.response === 'CLICKED' && clicks++ === 0) await new Promise((r) => setTimeout(r, 2500));
      }),
    });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, input({ attributionWindowSeconds: 1 }));
      await eventually(async () => (await handle.query(reengagementStatusQuery)).phase === 'awaiting_response', 20_000, 20);
      await handle.signal(messageResponseSignal, { messageId: 'message-1', response: 'CLICKED', at: at() });
      await eventually(async () => acts.recordMessageResponse.mock.calls.length === 1, 20_000, 20);
      await handle.signal(messageResponseSignal, { messageId: 'message-1', response: 'CLICKED', at: at() });
      expect(await handle.result()).toMatchObject({ status: 'sent', response: 'CLICKED' });
    });
    // both clicks recorded (a step retried after a slow workflow task may record one twice: the record is idempotent)
    const recorded = acts.recordMessageResponse.mock.calls.map(([e]) => e.response);
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    expect(new Set(recorded)).toEqual(new Set(['CLICKED']));
  });
});

describe('composing: the rewrite and the last resort', () => {
  const unsafe = { safe: false, checks: [{ name: 'pii', passed: true }, { name: 'profanity', passed: false }] };
  const template = () => jest.fn(async (req: { reason: string }) => ({ ...draft('Template reminder', 'template'), fallbackReason: req.reason, fallbackDetail: 'model said no' }));

  it('a rewrite that passes is sent: two attempts, the first rejection recorded, no template', async () => {
    const acts = activities({ checkSafety: jest.fn().mockResolvedValueOnce(unsafe).mockResolvedValue(SAFE) });
    await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input())).result());
    expect(acts.renderTemplateDraft).not.toHaveBeenCalled();
    const { composed } = acts.recordMessage.mock.calls[0][0];
    expect(composed.model).toBe('gpt-test');
    expect(composed.safetyChecks).toEqual({ safe: true, checks: SAFE.checks, attempts: 2, rejected: [{ attempt: 1, failed: ['profanity'], checks: [{ name: 'profanity', passed: false }] }] });
  });

  it('the model unavailable and the template it falls back to unsafe: nothing safer exists, the run fails after one check and sends nothing', async () => {
    const acts = activities({ generateDraft: jest.fn().mockRejectedValue(new Error('model overloaded')), checkSafety: jest.fn().mockResolvedValue(unsafe) });
    await harness.withWorker(acts, async (taskQueue) => {
      await expect((await start(taskQueue, input())).result()).rejects.toMatchObject({ cause: { type: 'NoSafeMessage', nonRetryable: true, message: expect.stringContaining('the approved template failed profanity') } });
    });
    expect(acts.checkSafety).toHaveBeenCalledTimes(1);
    expect(acts.checkSafety).toHaveBeenCalledWith(expect.objectContaining({ source: 'template' }));
    expect(acts.recordMessage).not.toHaveBeenCalled();
    expect(acts.sendMessageEmail).not.toHaveBeenCalled();
  });

  it('a rejected draft whose rewrite cannot be written (model down) falls back to the template; an unsafe one fails the run unsent', async () => {
    const acts = activities({
      generateDraft: jest.fn().mockResolvedValueOnce(draft()).mockRejectedValue(new Error('model overloaded')),
      checkSafety: jest.fn().mockResolvedValue(unsafe),
    });
    await harness.withWorker(acts, async (taskQueue) => {
      await expect((await start(taskQueue, input())).result()).rejects.toMatchObject({ cause: { type: 'NoSafeMessage' } });
    });
    // the template was checked once, as the second attempt: no third render
    expect(acts.renderTemplateDraft).toHaveBeenCalledTimes(1);
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'llm_unavailable' }));
    expect(acts.checkSafety.mock.calls.map(([c]) => c.source)).toEqual(['model', 'template']);
    expect(acts.sendMessageEmail).not.toHaveBeenCalled();
  });

  it('a template that fails after two rejected drafts: NoSafeMessage, every attempt in its details, nothing sent', async () => {
    const acts = activities({ checkSafety: jest.fn().mockResolvedValue(unsafe), renderTemplateDraft: template() });
    await harness.withWorker(acts, async (taskQueue) => {
      const failure = await (await start(taskQueue, input())).result().catch((e) => e);
      expect(failure.cause).toMatchObject({ type: 'NoSafeMessage', nonRetryable: true });
      expect(failure.cause.details[0].map((r: { attempt: number }) => r.attempt)).toEqual([1, 2, 3]);
    });
    expect(acts.renderTemplateDraft).toHaveBeenCalledWith(expect.objectContaining({ reason: 'safety_rejected' }));
    expect(acts.recordMessage).not.toHaveBeenCalled();
    expect(acts.sendMessageEmail).not.toHaveBeenCalled();
  });

  it('a template arm whose template is unsafe: no model call to fall back to, the run fails unsent', async () => {
    const arm = { id: randomUUID(), name: 'template', kind: 'template' as const, weight: 1, promptVersion: null, sendTime: null };
    const acts = activities({ checkSafety: jest.fn().mockResolvedValue(unsafe) });
    await harness.withWorker(acts, async (taskQueue) => {
      await expect((await start(taskQueue, input({}, { arm }))).result()).rejects.toMatchObject({ cause: { type: 'NoSafeMessage' } });
    });
    expect(acts.generateDraft).not.toHaveBeenCalled();
    expect(acts.checkSafety).toHaveBeenCalledTimes(1);
    expect(acts.sendMessageEmail).not.toHaveBeenCalled();
  });

  it("the template's fallback reason and detail are stored with the message; only names the context has are allowed", async () => {
    const acts = activities({
      generateDraft: jest.fn().mockRejectedValue(new Error('model overloaded')),
      renderTemplateDraft: template(),
      // no service name in this customer's context
      loadReminderContext: jest.fn().mockResolvedValue({ locale: 'en', context: { first_name: 'Karim', days_since_last_booking: 40 } }),
    });
    await harness.withWorker(acts, async (taskQueue) => (await start(taskQueue, input())).result());
    expect(acts.checkSafety).toHaveBeenCalledWith(expect.objectContaining({ allowedNames: ['Karim'] }));
    expect(acts.recordMessage.mock.calls[0][0].composed.safetyChecks).toMatchObject({ fallback_reason: 'llm_unavailable', fallback_detail: 'model said no', attempts: 1, rejected: [] });
  });

  it('a run cancelled while the model writes is cancelled: no template is written in its place and nothing is sent', async () => {
    // a slow model (the mock does not heartbeat, so it finishes on its own after the run is cancelled)
    const acts = activities({ generateDraft: jest.fn(() => new Promise((r) => setTimeout(() => r(draft()), 3000))) });
    await harness.withWorker(acts, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      await eventually(async () => acts.generateDraft.mock.calls.length > 0);
      await handle.cancel();
      await expect(handle.result()).rejects.toMatchObject({ cause: { name: 'CancelledFailure' } });
    });
    expect(acts.renderTemplateDraft).not.toHaveBeenCalled();
    expect(acts.recordMessage).not.toHaveBeenCalled();
    expect(acts.sendMessageEmail).not.toHaveBeenCalled();
  });
});
