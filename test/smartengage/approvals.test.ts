import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import type { ParsedMail } from 'mailparser';
import { recordHistory } from '../helpers/history-files';
import { decryptedHistory } from '../helpers/history-codec';
import { encryptedDataConverter, payloadKeys } from '../../src/temporal/codec/data-converter';
import { EncryptionCodec } from '../../src/temporal/codec/encryption-codec';
import { getJson, postJson } from '../helpers/http';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { activate, createVersion, listVersions, operatorAuth, reminderVersion } from '../prompts/fixtures';
import { deliverApprovalDecision } from '../../src/temporal/clients/approval-decision';
import { sql } from 'kysely';
import { campaignSettings } from '../../src/smartengage/core/settings';
import { resolveCriteria } from '../../src/smartengage/criteria';
import type { ReengagementInput } from '../../src/smartengage/types';
import type { reengageCustomer } from '../../src/workflows/smartengage/reengagement';
import { REENGAGEMENT_WORKFLOW } from '../../src/workflows/smartengage/definitions';
import { API_KEY, createCustomer, createService, getJob, messagesOf, runSegment, smartEngageEnv, waitForJob } from './fixtures';

const TIMEOUT_SECONDS = 12;

let system: TestSystem;
let llm: TestOpenAiServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
  system = await startTestSystem({ env: smartEngageEnv(llm.baseUrl, { SE_APPROVAL_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS), SE_ATTRIBUTION_WINDOW_SECONDS: '2', SE_MAX_CHILDREN_PER_RUN: '2' }) });
});
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});

const mailTo = (mails: ParsedMail[], email: string) => mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(email)));
const queue = async () => (await getJson(`${system.baseUrl}/internal/approvals`, API_KEY)).body.approvals as any[];
const decide = (messageId: string, body: Record<string, unknown>, headers: Record<string, string> = API_KEY) =>
  postJson(`${system.baseUrl}/internal/approvals/${messageId}`, body, headers);

const canaryDraft = { subject: 'Your AC deserves a check-up', body: 'Hello, summer is here and your AC has worked hard. Book a service in one tap.', call_to_action: 'Book now' };

describe('canary prompt versions and the approval gate', () => {
  it('holds a canary version\'s messages for an operator: approve sends the draft, reject and timeout the approved template; the campaign does not stall', async () => {
    const { db } = system;
    const serviceId = await createService(db);
    const approved = await createCustomer(db, { serviceId, name: 'Sarah Ahmed', locale: 'en' });
    const rejected = await createCustomer(db, { serviceId, name: 'Imran Khan', locale: 'en' });
    const ignored = await createCustomer(db, { serviceId, name: 'Tania Akter', locale: 'en' });

    const created = await createVersion(system, reminderVersion());
    const v2 = created.body.id;
    const activated = await activate(system, v2, { canary_messages: 3 });
    expect(activated.body.status).toBe('canary');
    llm.setDefault(() => ({ draft: canaryDraft }));

    // concurrency 1: a child waiting for approval must not hold the only slot of the window
    const started = await runSegment(system, { segment_criteria: { concurrency: 1 } });
    expect(started.status).toBe(202);
    const jobId = started.body.job_id;
    const waiting = await eventually(async () => {
      const q = await queue();
      return q.length === 3 ? q : null;
    }, 30_000);
    expect(waiting.map((a) => a.customer_id).sort()).toEqual([approved.id, rejected.id, ignored.id].sort());
    for (const entry of waiting) {
      expect(entry).toEqual(
        expect.objectContaining({
          message_id: expect.any(String),
          workflow_id: expect.stringMatching(/^reengage-/),
          prompt_version: 2,
          reason: 'canary',
          draft: canaryDraft,
          safety: expect.objectContaining({ safe: true, checks: expect.any(Array), flags: [] }),
          waiting_since: expect.any(String),
        }),
      );
    }
    // nothing sent while waiting; the campaign reports them as awaiting, not in flight
    expect(system.smtp.messages).toHaveLength(0);
    const live = await eventually(async () => {
      const job = await getJob(system, jobId);
      return job.body.counts.awaiting_approval === 3 ? job.body : null;
    });
    expect(live).toEqual(expect.objectContaining({ status: 'RUNNING', counts: expect.objectContaining({ in_flight: 0, awaiting_approval: 3, eligible: 3 }) }));
    // the canary is used up: the version is active now (its waiting messages still wait)
    const versions = await listVersions(system, 'agent_type=smartengage&message_type=REMINDER&locale=en');
    expect(versions.body.prompts.find((p: any) => p.id === v2)).toEqual(expect.objectContaining({ status: 'active', canary: null }));

    const entryOf = (customerId: string) => waiting.find((a) => a.customer_id === customerId)!;
    const operator = await operatorAuth(system, 'reviewer@example.test');

    // approve: the draft goes out
    const approval = await decide(entryOf(approved.id).message_id, { decision: 'approve', note: 'reads well' }, operator);
    expect(approval.status).toBe(200);
    expect(approval.body).toEqual({ message_id: entryOf(approved.id).message_id, decision: 'approve', outcome: 'draft_will_be_sent' });
    const again = await decide(entryOf(approved.id).message_id, { decision: 'reject' });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual(expect.objectContaining({ decision: 'approve', decided_by: 'reviewer@example.test' }));
    // the workflow's own validator refuses a second decision and an unknown message id
    const viaUpdate = await deliverApprovalDecision(system.client, entryOf(approved.id).workflow_id, { messageId: entryOf(approved.id).message_id, decision: 'reject', decidedBy: 'test' });
    expect(viaUpdate).toEqual(expect.objectContaining({ delivered: false, refusal: 'decided' }));
    const unknownViaUpdate = await deliverApprovalDecision(system.client, entryOf(approved.id).workflow_id, { messageId: '00000000-0000-4000-8000-000000000bad', decision: 'approve', decidedBy: 'test' });
    expect(unknownViaUpdate).toEqual(expect.objectContaining({ delivered: false, refusal: 'unknown' }));

    // reject: the approved template (of the version the canary replaced) goes out instead
    const rejection = await decide(entryOf(rejected.id).message_id, { decision: 'reject', note: 'too pushy about summer' });
    expect(rejection.status).toBe(200);
    expect(rejection.body.outcome).toBe('template_will_be_sent');

    const unknown = await decide('00000000-0000-4000-8000-00000000dead', { decision: 'approve' });
    expect(unknown.status).toBe(404);
    const invalid = await decide(entryOf(ignored.id).message_id, { decision: 'maybe' });
    expect(invalid.status).toBe(422);

    // the queue shows only the one still waiting
    expect((await queue()).map((a) => a.customer_id)).toEqual([ignored.id]);

    const mails = await system.smtp.waitForMessages(2);
    const [approvedMail] = mailTo(mails, approved.email);
    expect(approvedMail.subject).toBe(canaryDraft.subject);
    const [rejectedMail] = mailTo(mails, rejected.email);
    expect(rejectedMail.subject).toBe('Time for your next AC Servicing?');

    const [approvedMessage] = await messagesOf(db, approved.id);
    expect(approvedMessage).toEqual(expect.objectContaining({ id: entryOf(approved.id).message_id, subject: canaryDraft.subject, prompt_version: 2, model: 'gpt-4o-mini' }));
    expect(approvedMessage.safety_checks).toEqual(expect.objectContaining({ safe: true, review: { reason: 'canary', decision: 'approve', decided_by: 'reviewer@example.test', note: 'reads well' } }));
    const [rejectedMessage] = await messagesOf(db, rejected.id);
    expect(rejectedMessage).toEqual(expect.objectContaining({ id: entryOf(rejected.id).message_id, model: 'template', prompt_version: 1 }));
    expect(rejectedMessage.safety_checks).toEqual(
      expect.objectContaining({ safe: true, fallback_reason: 'approval_rejected', review: expect.objectContaining({ decision: 'reject', note: 'too pushy about summer' }) }),
    );
    const rejectedEntry = await db.selectFrom('message_approvals').selectAll().where('message_id', '=', entryOf(rejected.id).message_id).executeTakeFirstOrThrow();
    expect(rejectedEntry).toEqual(expect.objectContaining({ decision: 'reject', note: 'too pushy about summer', decided_by: 'internal-api-key', draft: canaryDraft, decided_at: expect.any(Date) }));

    // no decision within the timeout: the template, and the decision recorded as a timeout
    const timedOut = await eventually(async () => {
      const [m] = await messagesOf(db, ignored.id);
      return m?.delivery_status === 'SENT' ? m : null;
    }, (TIMEOUT_SECONDS + 20) * 1000);
    expect(timedOut.model).toBe('template');
    expect(timedOut.safety_checks).toEqual(expect.objectContaining({ fallback_reason: 'approval_timeout' }));
    const timeoutEntry = await db.selectFrom('message_approvals').selectAll().where('message_id', '=', entryOf(ignored.id).message_id).executeTakeFirstOrThrow();
    expect(timeoutEntry).toEqual(expect.objectContaining({ decision: 'timeout', decided_by: 'smartengage' }));

    // each decision is on the customer's timeline, with who took it and why
    const timeline = async (customerId: string) =>
      (await getJson(`${system.baseUrl}/internal/ai/smartengage/customers/${customerId}/timeline`, API_KEY)).body.events as any[];
    const kindsOf = (events: any[]) => events.map((e) => e.kind);
    const rejectedEvents = await timeline(rejected.id);
    expect(kindsOf(rejectedEvents)).toEqual(expect.arrayContaining(['awaiting_approval', 'rejected', 'sent']));
    expect(rejectedEvents.find((e) => e.kind === 'awaiting_approval')).toEqual(expect.objectContaining({ reason: 'canary', facts: expect.objectContaining({ prompt_version: 2 }) }));
    expect(rejectedEvents.find((e) => e.kind === 'rejected')).toEqual(
      expect.objectContaining({ reason: 'operator', facts: expect.objectContaining({ decided_by: 'internal-api-key', note: 'too pushy about summer' }) }),
    );
    expect((await timeline(approved.id)).find((e) => e.kind === 'approved')).toEqual(expect.objectContaining({ facts: expect.objectContaining({ decided_by: 'reviewer@example.test' }) }));
    expect((await timeline(ignored.id)).find((e) => e.kind === 'rejected')).toEqual(expect.objectContaining({ reason: 'timeout' }));
    const late = await decide(entryOf(ignored.id).message_id, { decision: 'approve' });
    expect(late.status).toBe(409);

    const job = await waitForJob(system, jobId);
    expect(job).toEqual(expect.objectContaining({ status: 'COMPLETED', counts: expect.objectContaining({ eligible: 3, sent: 3, failed: 0 }) }));
    expect(await queue()).toHaveLength(0);
    const metrics = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/shoktiai_smartengage_approvals_opened_total\{reason="canary"\} 3/);
    for (const decision of ['approve', 'reject', 'timeout']) expect(metrics).toMatch(new RegExp(`shoktiai_smartengage_approvals_decided_total\\{decision="${decision}"\\} 1`));

    // determinism: runs through the gate replay, and are kept as histories for replay.test.ts
    const rejectedRun = system.client.workflow.getHandle(entryOf(rejected.id).workflow_id);
    await rejectedRun.result();
    const histories = [
      { workflowId: rejectedRun.workflowId, history: await rejectedRun.fetchHistory() },
      { workflowId: `campaign-${jobId}`, history: await system.client.workflow.getHandle(`campaign-${jobId}`).fetchHistory() },
    ];
    const replay = await Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, dataConverter: encryptedDataConverter(system.config) }, histories);
    for await (const result of replay) expect(result.error).toBeUndefined();
    const codec = new EncryptionCodec(payloadKeys(system.config));
    recordHistory(join(__dirname, 'histories', 'reengagement-canary-rejected.binpb'), await decryptedHistory(histories[0].history, codec));
    recordHistory(join(__dirname, 'histories', 'campaign-awaiting-approval.binpb'), await decryptedHistory(histories[1].history, codec));
    llm.reset();
  }, 120_000);

  it('holds a flagged draft (passes every rule, close to the language minimum) with reason "flagged"', async () => {
    const { db } = system;
    const serviceId = await createService(db);
    const customer = await createCustomer(db, { serviceId, name: 'Farhan Kabir', locale: 'en' });
    // about 92 % Latin letters: above the 90 % minimum, below minimum + SE_REVIEW_SCRIPT_MARGIN (95 %)
    const borderline = { subject: 'Time for a service', body: 'Hello Farhan, it has been a while since your last visit. আবার বুক করুন whenever you like.', call_to_action: 'Book now' };
    llm.setDefault(() => ({ draft: borderline }));
    const started = await runSegment(system, {});
    const [entry] = await eventually(async () => {
      const q = (await queue()).filter((a) => a.customer_id === customer.id);
      return q.length === 1 ? q : null;
    }, 30_000);
    expect(entry).toEqual(expect.objectContaining({ reason: 'flagged', draft: borderline }));
    expect(entry.safety.safe).toBe(true);
    expect(entry.safety.flags).toEqual([expect.objectContaining({ check: 'language', threshold: 0.95 })]);
    expect(system.smtp.messages.filter((m) => mailTo([m], customer.email).length > 0)).toHaveLength(0);

    const approval = await decide(entry.message_id, { decision: 'approve' });
    expect(approval.status).toBe(200);
    const [message] = await eventually(async () => {
      const rows = await messagesOf(db, customer.id);
      return rows[0]?.delivery_status === 'SENT' ? rows : null;
    });
    expect(message.message_text).toBe(borderline.body);
    expect(message.safety_checks).toEqual(expect.objectContaining({ review: expect.objectContaining({ reason: 'flagged', decision: 'approve' }) }));
    await waitForJob(system, started.body.job_id);
    llm.reset();
  }, 90_000);

  it('carries waiting customers across continue-as-new and completes once they are decided', async () => {
    const { db } = system;
    const serviceId = await createService(db);
    const customers = await Promise.all(['Rina Begum', 'Sumon Ali', 'Nadia Islam'].map((name) => createCustomer(db, { serviceId, name, locale: 'en' })));
    const created = await createVersion(system, reminderVersion({ notes: 'continue-as-new canary' }));
    await activate(system, created.body.id, { canary_messages: 3 });
    // one customer per page and at most 2 children per run: the campaign continues as new while all three wait
    const started = await runSegment(system, { segment_criteria: { concurrency: 1, page_size: 1 } });
    const jobId = started.body.job_id;
    const waiting = await eventually(async () => {
      const q = (await queue()).filter((a) => customers.some((c) => c.id === a.customer_id));
      return q.length === 3 ? q : null;
    }, 30_000);
    const live = await eventually(async () => {
      const job = await getJob(system, jobId);
      return job.body.live?.runs >= 2 && job.body.counts.awaiting_approval === 3 ? job.body : null;
    });
    expect(live.status).toBe('RUNNING');
    for (const entry of waiting) expect((await decide(entry.message_id, { decision: 'approve' })).status).toBe(200);
    const job = await waitForJob(system, jobId);
    expect(job).toEqual(expect.objectContaining({ status: 'COMPLETED', counts: expect.objectContaining({ eligible: 3, sent: 3 }) }));
  }, 90_000);

  it('sends an ordinary draft of an active version without review', async () => {
    const { db } = system;
    const serviceId = await createService(db);
    const customer = await createCustomer(db, { serviceId, name: 'Mitu Das', locale: 'en' });
    const started = await runSegment(system, {});
    await waitForJob(system, started.body.job_id);
    const [message] = await messagesOf(db, customer.id);
    expect(message.delivery_status).toBe('SENT');
    expect(await db.selectFrom('message_approvals').select('message_id').where('customer_id', '=', customer.id).execute()).toHaveLength(0);
  });

  it('keeps the contact claim while a reminder waits longer than the frequency cap: another day\'s run cannot send a second reminder inside it', async () => {
    const { db } = system;
    const serviceId = await createService(db);
    const customer = await createCustomer(db, { serviceId, name: 'Shirin Sultana', locale: 'en' });
    const created = await createVersion(system, reminderVersion({ notes: 'claim held while waiting' }));
    await activate(system, created.body.id, { canary_messages: 1 });
    llm.setDefault(() => ({ draft: canaryDraft }));
    // a 1-hour cap and a 3-hour approval timeout: the wait can outlast the cap
    const base = campaignSettings(resolveCriteria({}, system.config), system.config).reengagement;
    const input: ReengagementInput = {
      customerId: customer.id,
      serviceId,
      campaignId: null,
      correlationId: 'test-claim-hold',
      settings: { ...base, frequencyCapHours: 1, approval: { ...base.approval!, timeoutSeconds: 3 * 3600 } },
    };
    const first = await system.client.workflow.start<typeof reengageCustomer>(REENGAGEMENT_WORKFLOW, { workflowId: `reengage-${customer.id}-day-1`, taskQueue: system.taskQueue, args: [input] });
    const [entry] = await eventually(async () => {
      const q = (await queue()).filter((a) => a.customer_id === customer.id);
      return q.length === 1 ? q : null;
    }, 30_000);
    const claimOf = () => db.selectFrom('contact_claims').selectAll().where('user_id', '=', customer.id).executeTakeFirstOrThrow();
    // held for the approval timeout plus the cap, not the cap alone
    expect((await claimOf()).expires_at.getTime()).toBeGreaterThan(Date.now() + (3 + 1) * 3600_000 - 120_000);

    // Two hours pass while the draft waits (no time-skipping server here: the claim is moved back
    // by two hours, as the clock would have moved it). The cap alone would have lapsed by now.
    await sql`UPDATE contact_claims SET claimed_at = claimed_at - interval '2 hours', expires_at = expires_at - interval '2 hours' WHERE user_id = ${customer.id}`.execute(db);
    // the next day's run for the same customer finds the slot still held
    const second = await system.client.workflow.execute<typeof reengageCustomer>(REENGAGEMENT_WORKFLOW, { workflowId: `reengage-${customer.id}-day-2`, taskQueue: system.taskQueue, args: [input] });
    expect(second).toEqual(expect.objectContaining({ status: 'skipped', reason: 'frequency_cap' }));

    expect((await decide(entry.message_id, { decision: 'approve' })).status).toBe(200);
    const [sent] = await eventually(async () => {
      const rows = await messagesOf(db, customer.id);
      return rows[0]?.delivery_status === 'SENT' ? rows : null;
    });
    expect(sent.id).toBe(entry.message_id);
    expect(await messagesOf(db, customer.id)).toHaveLength(1);
    expect(system.smtp.messages.filter((m) => mailTo([m], customer.email).length > 0)).toHaveLength(1);
    // once the reminder is on its way, the claim lapses a cap after the send, like the message row
    const after = await claimOf();
    expect(after.claimed_by).toBe(`reengage-${customer.id}-day-1`);
    expect(after.expires_at.getTime()).toBeLessThan(Date.now() + 3600_000 + 60_000);
    await first.result();
    llm.reset();
  }, 90_000);
});
