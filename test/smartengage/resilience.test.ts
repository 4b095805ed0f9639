import { randomUUID } from 'node:crypto';
import { resolveCriteria } from '../../src/smartengage/criteria';
import { campaignSettings } from '../../src/smartengage/core/settings';
import type { reengageCustomer } from '../../src/workflows/smartengage/reengagement';
import { REENGAGEMENT_WORKFLOW } from '../../src/workflows/smartengage/definitions';
import type { ReengagementInput, ReengagementOutcome } from '../../src/smartengage/types';
import { startOpenAiServer, type ChatBehaviour, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { bengali, createCustomer, createService, messagesOf, smartEngageEnv } from './fixtures';

let system: TestSystem;
let llm: TestOpenAiServer;
let serviceId: string;
beforeAll(async () => {
  llm = await startOpenAiServer();
  system = await startTestSystem({ env: smartEngageEnv(llm.baseUrl, { SE_ATTRIBUTION_WINDOW_SECONDS: '1', OPENAI_TIMEOUT_MS: '2000' }) });
  serviceId = await createService(system.db);
});
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});
beforeEach(() => {
  llm.reset();
  system.smtp.failNext(0);
  system.smtp.messages.length = 0;
});

const bnDraft = (body: string): ChatBehaviour => ({ draft: { subject: 'আবার দেখা হবে?', body, call_to_action: 'এখনই বুক করুন' } });

/** One customer's reminder, run to the end (attribution window of 1 s). */
async function remind(): Promise<{ outcome: ReengagementOutcome; message: Awaited<ReturnType<typeof messagesOf>>[number] | undefined; customerId: string }> {
  const customer = await createCustomer(system.db, { serviceId, name: 'Farhana Akter' });
  const input: ReengagementInput = {
    customerId: customer.id,
    serviceId,
    campaignId: null,
    correlationId: `resilience-${randomUUID()}`,
    settings: campaignSettings(resolveCriteria({}, system.config), system.config).reengagement,
  };
  const outcome = await system.client.workflow.execute<typeof reengageCustomer>(REENGAGEMENT_WORKFLOW, { workflowId: `reengage-${customer.id}-test`, taskQueue: system.taskQueue, args: [input] });
  const [message] = await messagesOf(system.db, customer.id);
  return { outcome: outcome as ReengagementOutcome, message, customerId: customer.id };
}

describe('unsafe model answers never reach the customer', () => {
  it.each([
    ['a phone number', 'pii', 'আমাদের টেকনিশিয়ানকে কল করুন 01712-345678 নম্বরে, তিনি আপনার এসি দেখে দেবেন।'],
    ['a foreign link', 'links', 'বিশেষ অফার পেতে https://cheap-ac-deals.example.com/win এ যান এবং আজই বুক করুন।'],
    ['profanity', 'profanity', 'শালা, আপনার এসি অনেকদিন পরিষ্কার হয়নি, এখনই বুক করুন।'],
  ])('an answer with %s is regenerated once, then the approved template goes out', async (_label, check, unsafeBody) => {
    llm.enqueue(bnDraft(unsafeBody), bnDraft(unsafeBody));
    const { outcome, message } = await remind();
    expect(outcome.status).toBe('sent');
    expect(message).toEqual(expect.objectContaining({ delivery_status: 'SENT', model: 'template', prompt_version: 1 }));
    expect(message!.safety_checks).toEqual(
      expect.objectContaining({
        safe: true,
        fallback_reason: 'safety_rejected',
        rejected: [expect.objectContaining({ failed: expect.arrayContaining([check]) }), expect.objectContaining({ failed: expect.arrayContaining([check]) })],
      }),
    );
    // the regeneration was told what to avoid
    expect(JSON.stringify(llm.chatRequests[1].messages)).toContain(check);
    expect(system.smtp.messages).toHaveLength(1);
    const mail = system.smtp.messages[0];
    expect(mail.text).toMatch(bengali);
    expect(mail.text).not.toContain(unsafeBody.slice(0, 20));
  });

  it('keeps a regenerated answer that passes', async () => {
    llm.enqueue(bnDraft('আমাদের টেকনিশিয়ানকে কল করুন 01712-345678 নম্বরে।'));
    const { message } = await remind();
    expect(message).toEqual(expect.objectContaining({ delivery_status: 'SENT', model: 'gpt-4o-mini' }));
    expect(message!.safety_checks).toEqual(expect.objectContaining({ safe: true, rejected: [expect.objectContaining({ attempt: 1, failed: ['pii'] })] }));
  });
});

describe('LLM failures still end in a sent message', () => {
  it.each<[string, ChatBehaviour[], string]>([
    ['a 429 rate limit (retried)', [{ status: 429 }], 'gpt-4o-mini'],
    ['a 500 server error (retried)', [{ status: 500 }], 'gpt-4o-mini'],
    ['a timeout (retried)', [{ delayMs: 4000, then: bnDraft('দেরিতে আসা উত্তর।') }], 'gpt-4o-mini'],
    ['a server that stays down (template)', [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }], 'template'],
    ['invalid JSON (template)', [{ content: '{"subject": "oops' }], 'template'],
    ['a refusal (template)', [{ refusal: 'I cannot help with that' }], 'template'],
  ])('after %s', async (_label, behaviours, model) => {
    llm.enqueue(...behaviours);
    const { outcome, message } = await remind();
    expect(outcome.status).toBe('sent');
    expect(message).toEqual(expect.objectContaining({ delivery_status: 'SENT', model }));
    expect(message!.safety_checks).toEqual(expect.objectContaining({ safe: true }));
    if (model === 'template') expect((message!.safety_checks as { fallback_reason?: string }).fallback_reason).toBeTruthy();
    expect(system.smtp.messages).toHaveLength(1);
  });
});

describe('SMTP failures', () => {
  it('are retried, and a retry never sends a second copy', async () => {
    system.smtp.failNext(1);
    const { outcome, message } = await remind();
    expect(outcome.status).toBe('sent');
    expect(message).toEqual(expect.objectContaining({ delivery_status: 'SENT', attempts: 2 }));
    await new Promise((r) => setTimeout(r, 300));
    expect(system.smtp.messages).toHaveLength(1);
  });

  it('end in FAILED with the error after the last retry', async () => {
    system.smtp.failNext(10);
    const { outcome, message } = await remind();
    expect(outcome).toEqual(expect.objectContaining({ status: 'failed', reason: expect.stringMatching(/temporary failure/) }));
    expect(message).toEqual(expect.objectContaining({ delivery_status: 'FAILED', attempts: 3, error: expect.stringMatching(/temporary failure/) }));
    expect(system.smtp.messages).toHaveLength(0);
  });
});
