import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createMessagingActivities } from '../../src/activities/messaging';
import { loadConfig } from '../../src/config';
import { createMailer } from '../../src/email/mailer';
import { createLogger } from '../../src/lib/logger';
import { createOpenAiClient } from '../../src/llm/openai-client';
import type { ComposedMessage } from '../../src/messaging/types';
import type { ComposeOptions, ComposeRequest } from '../../src/workflows/shared/compose';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { quietTemporalRuntime } from '../helpers/temporal-runtime';
import { judgedDraftText, startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { bengaliDraft, reminderRequest } from './fixtures';
import { COMPOSE_PROBE_WORKFLOW, type composeProbe } from './workflows/compose-probe';

/**
 * composeSafeMessage on a real worker and dev server, against the local OpenAI server: the
 * retry policy, regeneration and template fallbacks as Temporal actually runs them.
 */
let llm: TestOpenAiServer;
let database: TestDatabase;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let workerRun: Promise<void>;
let workflowBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;
const taskQueue = `compose-${randomUUID()}`;

beforeAll(async () => {
  // failures are provoked on purpose: the SDK would warn of each one
  quietTemporalRuntime('ERROR');
  llm = await startOpenAiServer();
  database = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', OPENAI_API_KEY: 'test', OPENAI_BASE_URL: llm.baseUrl, OPENAI_TIMEOUT_MS: '500' });
  const mailer = createMailer({ from: config.EMAIL_FROM, outboxDir: 'var/test/outbox-unused' });
  const activities = createMessagingActivities({ config, db: database.db, mailer, logger: createLogger('silent'), openai: createOpenAiClient(config) });
  const address = process.env.TEST_TEMPORAL_ADDRESS!;
  nativeConnection = await NativeConnection.connect({ address });
  workflowBundle = await bundleWorkflowCode({
    workflowsPath: resolve(__dirname, 'workflows/compose-probe.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities, shutdownGraceTime: '2s' });
  workerRun = worker.run();
  connection = await Connection.connect({ address });
  client = new Client({ connection });
}, 120_000);

afterAll(async () => {
  worker.shutdown();
  await workerRun;
  await nativeConnection.close();
  await connection.close();
  await database.drop();
  await llm.close();
});
beforeEach(() => llm.reset());

const fastRetry: ComposeOptions = { llmRetry: { maximumAttempts: 3, initialIntervalMs: 50 } };

const workflowIds: string[] = [];

function compose(req: ComposeRequest, options: ComposeOptions = fastRetry): Promise<ComposedMessage> {
  const workflowId = `compose-${randomUUID()}`;
  workflowIds.push(workflowId);
  return client.workflow.execute<typeof composeProbe>(COMPOSE_PROBE_WORKFLOW, { taskQueue, workflowId, args: [req, options] });
}

const englishDraft = { subject: 'We miss you', body: 'Hi Rahim, it has been a while. Book again whenever you like.', call_to_action: 'Book now' };

describe('composeSafeMessage', () => {
  it('returns a safe model draft with its record', async () => {
    llm.enqueue({ draft: bengaliDraft });
    const result = await compose(reminderRequest('bn'));
    expect(result.model).toBe('gpt-4o-mini');
    expect(result.draft).toEqual(bengaliDraft);
    expect(result.safetyChecks).toMatchObject({ safe: true, attempts: 1, rejected: [] });
    expect(result.safetyChecks.checks.map((c) => c.name)).toContain('moderation');
    expect(result.safetyChecks.fallback_reason).toBeUndefined();
  });

  it('regenerates once, telling the model what failed, when the first draft leaks a phone number', async () => {
    llm.enqueue({ draft: { ...englishDraft, body: 'Hi Rahim, call our technician on 01712345678 to book.' } }, { draft: englishDraft });
    const result = await compose(reminderRequest('en'));
    expect(result.model).toBe('gpt-4o-mini');
    expect(result.draft).toEqual(englishDraft);
    expect(result.safetyChecks).toMatchObject({ safe: true, attempts: 2, rejected: [{ attempt: 1, failed: ['pii'] }] });
    expect(llm.chatRequests).toHaveLength(2);
    expect(llm.chatRequests[1].messages.at(-1)!.content).toContain('failed these safety checks: pii');
  });

  it('sends the approved template when the regenerated draft is unsafe too, and records why', async () => {
    llm.enqueue(
      { draft: { ...englishDraft, body: 'Book at www.cheap-ac.net today, Rahim!' } },
      { draft: { ...englishDraft, body: 'Stop being an idiot and book, Rahim.' } },
    );
    const result = await compose(reminderRequest('en'));
    expect(result.model).toBe('template');
    expect(result.fallbackReason).toBe('safety_rejected');
    expect(result.draft.subject).toBe('Time for your next AC Servicing?');
    expect(result.safetyChecks).toMatchObject({
      safe: true,
      attempts: 3,
      fallback_reason: 'safety_rejected',
      rejected: [
        { attempt: 1, failed: ['links'] },
        { attempt: 2, failed: ['profanity'] },
      ],
    });
  });

  it('retries a failing LLM with backoff, then falls back to the template', async () => {
    llm.setDefault(() => ({ status: 500 }));
    const result = await compose(reminderRequest('bn'));
    expect(llm.chatRequests).toHaveLength(3);
    expect(result).toMatchObject({ model: 'template', fallbackReason: 'llm_unavailable', promptVersion: 1 });
    expect(result.safetyChecks).toMatchObject({ safe: true, attempts: 1, fallback_reason: 'llm_unavailable' });
  });

  it('recovers when a rate limit and a timeout are followed by a good answer', async () => {
    llm.enqueue({ status: 429 }, { delayMs: 1500, then: { draft: bengaliDraft } }, { draft: bengaliDraft });
    const result = await compose(reminderRequest('bn'));
    expect(result.model).toBe('gpt-4o-mini');
    expect(llm.chatRequests).toHaveLength(3);
  });

  it('does not retry a rejected request (401) before using the template', async () => {
    llm.setDefault(() => ({ status: 401 }));
    const result = await compose(reminderRequest('bn'));
    expect(llm.chatRequests).toHaveLength(1);
    expect(result.fallbackReason).toBe('llm_unavailable');
  });

  it('uses the template at once for a refusal (no retries, no regeneration)', async () => {
    llm.enqueue({ refusal: 'I cannot write that.' });
    const result = await compose(reminderRequest('en'));
    expect(llm.chatRequests).toHaveLength(1);
    expect(result.safetyChecks).toMatchObject({ safe: true, attempts: 1, fallback_reason: 'refusal' });
  });

  it('never returns an unsafe text: fails non-retryably when even the template is rejected', async () => {
    llm.setFlaggedWords(['book']); // the model's drafts and the template all say "book"
    const error = await compose(reminderRequest('en')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('NoSafeMessage');
    expect(cause.nonRetryable).toBe(true);
  });

  it('records where a rule matched: the rejected attempt keeps its checks with severity and spans', async () => {
    llm.enqueue({ draft: { ...englishDraft, body: 'Hi Rahim, get 50% off when you book this week.' } }, { draft: englishDraft });
    const result = await compose(reminderRequest('en'));
    expect(result.draft).toEqual(englishDraft);
    const [rejection] = result.safetyChecks.rejected!;
    expect(rejection.failed).toEqual(['offers']);
    expect(rejection.checks).toEqual([
      expect.objectContaining({ name: 'offers', severity: 'high', spans: [{ field: 'body', start: 14, end: 17, text: '50%' }] }),
    ]);
  });

  it('asks the judge only after the rules pass, and a judge rejection leads to a regeneration', async () => {
    const subtle = { ...englishDraft, body: 'Hi Rahim, your AC is probably broken by now. Book again whenever you like.' };
    llm.enqueue({ draft: subtle }, { draft: englishDraft });
    llm.setJudge((request) =>
      judgedDraftText(request).includes('probably broken')
        ? { verdict: { safe: false, categories: ['manipulation'], reasons: ['scares the customer about their AC'], quotes: ['your AC is probably broken'] } }
        : { verdict: { safe: true, categories: [], reasons: [], quotes: [] } },
    );
    const result = await compose(reminderRequest('en'));
    expect(result.draft).toEqual(englishDraft);
    expect(llm.judgeRequests).toHaveLength(2);
    const [rejection] = result.safetyChecks.rejected!;
    expect(rejection.failed).toEqual(['judge']);
    expect(rejection.checks![0]).toMatchObject({
      name: 'judge',
      categories: ['manipulation'],
      prompt_version: 1,
      spans: [{ field: 'body', start: 10, end: 36, text: 'your AC is probably broken' }],
    });
    expect(result.safetyChecks.checks.find((c) => c.name === 'judge')).toMatchObject({ passed: true, prompt_version: 1 });
    expect(llm.chatRequests[1].messages.at(-1)!.content).toContain('failed these safety checks: judge');
  });

  it('does not ask the judge when a rule already rejected the draft (the rules are final)', async () => {
    llm.enqueue({ draft: { ...englishDraft, body: 'Hi Rahim, call 01712345678 to book.' } }, { draft: englishDraft });
    llm.setJudge(() => ({ verdict: { safe: true, categories: [], reasons: [], quotes: [] } }));
    const result = await compose(reminderRequest('en'));
    expect(result.safetyChecks.rejected![0].failed).toEqual(['pii']);
    expect(result.safetyChecks.rejected![0].checks![0]).toMatchObject({ name: 'pii', severity: 'critical', spans: [{ field: 'body', start: 15, end: 26 }] });
    expect(llm.judgeRequests).toHaveLength(1); // only the regenerated draft
  });

  it('sends a draft the rules passed when the judge is down, and records the outage', async () => {
    llm.enqueue({ draft: englishDraft });
    llm.setJudge(() => ({ status: 503 }));
    const result = await compose(reminderRequest('en'));
    expect(result.model).toBe('gpt-4o-mini');
    expect(result.draft).toEqual(englishDraft);
    expect(result.safetyChecks.checks.find((c) => c.name === 'judge')).toMatchObject({ passed: true, skipped: true, detail: expect.stringMatching(/^skipped: /) });
  });

  it('sends the draft when the judge hangs: the wait is bounded and the judge recorded as skipped', async () => {
    llm.enqueue({ draft: englishDraft });
    llm.setJudge(() => ({ delayMs: 1500, then: { verdict: { safe: false, categories: ['other'], reasons: ['too late'], quotes: [] } } }));
    const result = await compose(reminderRequest('en'));
    expect(result.draft).toEqual(englishDraft);
    expect(result.safetyChecks.checks.find((c) => c.name === 'judge')).toMatchObject({ passed: true, skipped: true });
  });

  it('does not second-guess the approved template: a judge that rejects everything still lets the template out', async () => {
    llm.setJudge(() => ({ verdict: { safe: false, categories: ['other'], reasons: ['rejects everything'], quotes: [] } }));
    const result = await compose(reminderRequest('en'));
    expect(result).toMatchObject({ model: 'template', fallbackReason: 'safety_rejected' });
    expect(result.safetyChecks.rejected!.map((r) => r.failed)).toEqual([['judge'], ['judge']]);
    expect(result.safetyChecks.checks.find((c) => c.name === 'judge')).toMatchObject({ skipped: true, detail: 'skipped: the approved template' });
  });

  it('replays every recorded history deterministically', async () => {
    const histories = await Promise.all(workflowIds.map(async (workflowId) => ({ workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() })));
    const results = Worker.runReplayHistories({ workflowBundle }, histories);
    for await (const result of results) expect({ workflowId: result.workflowId, error: result.error }).toEqual({ workflowId: result.workflowId, error: undefined });
    expect(histories.length).toBeGreaterThanOrEqual(8);
  });
});
