import { randomUUID } from 'node:crypto';
import { signAccessToken } from '../../src/auth/jwt';
import { previewPromptVersion } from '../../src/prompts/preview';
import { findPromptVersion } from '../../src/prompts/versions';
import { REPLY_INTENT_SCHEMA_NAME } from '../../src/replies/intent';
import { getJson, postJson } from '../helpers/http';
import { startOpenAiServer, type ChatRequestRecord, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { activate, API_KEY, createVersion, listVersions } from '../prompts/fixtures';

/**
 * The reply classifier's prompt as a prompt version (issue 15): seeded as version 1, created,
 * refused when it could not read replies safely, previewed on a reply, activated and rolled back
 * through `/internal/prompts`, and used — its version recorded on `message_replies` — by the
 * next reply the reply workflow classifies.
 */
let system: TestSystem;
let llm: TestOpenAiServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
  system = await startTestSystem({ env: { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: llm.baseUrl, SAFETY_JUDGE_MODEL: 'off' } });
});
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});
beforeEach(() => llm.reset());

const classifier = 'agent_type=smartengage&message_type=REPLY_INTENT&locale=en';
const systemPromptOf = (request: ChatRequestRecord) => request.messages.find((m) => m.role === 'system')?.content ?? '';
const userPromptOf = (request: ChatRequestRecord) => request.messages.find((m) => m.role === 'user')?.content ?? '';
const classifierRequests = () => llm.chatRequests.filter((r) => (r.response_format as any)?.json_schema?.name === REPLY_INTENT_SCHEMA_NAME);

/** Version 2 answers `reschedule`, anything else `question`: which version classified shows in the answer. */
const answerByVersion = () =>
  llm.setDefault((request) =>
    systemPromptOf(request).includes('INTENT-V2')
      ? { draft: { intent: 'reschedule', summary: 'wants another day', requested_date: '2026-12-11', mood: 'ok' } }
      : { draft: { intent: 'question', summary: 'asks something', requested_date: null, mood: 'unknown' } },
  );

async function v1Detail() {
  const v1 = (await listVersions(system, classifier)).body.prompts.find((p: any) => p.version === 1);
  return (await getJson(`${system.baseUrl}/internal/prompts/${v1.id}`, API_KEY)).body;
}

/** A valid classifier version: the seeded prompt with a marker the test server recognises. */
async function classifierVersion(overrides: Record<string, unknown> = {}) {
  const v1 = await v1Detail();
  return {
    agent_type: 'smartengage',
    message_type: 'REPLY_INTENT',
    locale: 'en',
    system_prompt: `${v1.system_prompt}\nINTENT-V2: "next <weekday>" is a reschedule when the message was a reminder.`,
    user_prompt: v1.user_prompt,
    notes: 'reads weekday requests as reschedules',
    ...overrides,
  };
}

/** A customer with a reminder to reply to (recorded as the workflow leaves it). */
async function customerWithReminder() {
  const email = `c-${randomUUID()}@example.test`;
  const user = await system.db
    .insertInto('users')
    .values({ email, full_name: 'Rahim Uddin', role: 'customer', locale: 'en', consent: JSON.stringify({ marketing: true }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const message = await system.db
    .insertInto('ai_messages')
    .values({
      user_id: user.id,
      role: 'CUSTOMER',
      agent_type: 'smartengage',
      channel: 'EMAIL',
      message_type: 'REMINDER',
      subject: 'We miss you',
      message_text: 'It has been a while since your last cleaning.',
      call_to_action: 'Book now',
      locale: 'en',
      safety_checks: JSON.stringify({ safe: true, checks: [] }),
      idempotency_key: `test:${randomUUID()}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const token = await signAccessToken({ sub: user.id, role: 'customer', email }, system.config, 600);
  return { messageId: message.id, auth: { authorization: `Bearer ${token}` } };
}

async function classifiedReply(text: string) {
  const { messageId, auth } = await customerWithReminder();
  const res = await postJson(`${system.baseUrl}/messages/${messageId}/reply`, { text }, auth);
  expect(res.status).toBe(202);
  return eventually(() => system.db.selectFrom('message_replies').selectAll().where('message_id', '=', messageId).where('handled_at', 'is not', null).executeTakeFirst(), 30_000, 200);
}

describe('the reply classifier prompt as a prompt version', () => {
  it('is seeded as version 1, active, in en, with the fixed fallback values', async () => {
    const res = await listVersions(system, 'message_type=REPLY_INTENT');
    expect(res.body.prompts.map((p: any) => [p.agent_type, p.locale, p.version, p.status, p.created_by])).toEqual([['smartengage', 'en', 1, 'active', 'migration']]);
    const v1 = await v1Detail();
    expect(v1).toEqual(expect.objectContaining({ fallback_subject: 'reply intent', fallback_text: 'other', user_prompt: expect.stringContaining('<<<REPLY\n{{reply_json}}\nREPLY>>>') }));
  });

  it('refuses a classifier prompt that could not read replies safely with 422 naming each problem, and stores nothing', async () => {
    const valid = await classifierVersion();
    const context = 'Reply date: {{reply_date}}\nMessage ({{message_type}}): {{message_json}}\n';
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ user_prompt: `${context}Classify the reply.` }, 'reply_missing'],
      [{ user_prompt: `${context}<<<REPLY\n{{reply_json}}\nREPLY>>>\n{{reply_json}}` }, 'reply_missing'],
      [{ user_prompt: `${context}The reply: {{reply_json}}` }, 'reply_not_quoted'],
      [{ user_prompt: `${context}<<<REPLY\nREPLY>>>\n{{reply_json}}` }, 'reply_not_quoted'],
      [{ user_prompt: 'Message: {{message_json}}\n<<<REPLY\n{{reply_json}}\nREPLY>>>' }, 'reply_context_missing'],
      [{ user_prompt: `${valid.user_prompt}\nCustomer: {{first_name}}` }, 'unknown_placeholders'],
      [{ system_prompt: `${valid.system_prompt}\nThe reply date is {{reply_date}}.` }, 'placeholders_in_system_prompt'],
      [{ system_prompt: 'Classify the reply as book, reschedule, question or other.' }, 'intents_missing'],
      [{ locale: 'bn' }, 'locale_not_supported'],
      [{ fallback_subject: 'reply intent', fallback_text: 'other' }, 'fallback_not_applicable'],
    ];
    for (const [overrides, check] of cases) {
      const res = await createVersion(system, { ...valid, ...overrides });
      expect({ check, status: res.status, code: res.body.error?.code }).toEqual({ check, status: 422, code: 'invalid_reply_intent_prompt' });
      expect(res.body.error.details.failed_checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: check, detail: expect.any(String) })]));
    }
    // the classifier type for another agent: the contract's validation
    expect((await createVersion(system, { ...valid, agent_type: 'coachnova' })).body.error.code).toBe('validation_failed');
    expect((await listVersions(system, 'message_type=REPLY_INTENT')).body.prompts).toHaveLength(1);
  });

  it('creates, previews, activates and rolls back a classifier version; replies record the version that classified them', async () => {
    answerByVersion();
    const created = await createVersion(system, await classifierVersion());
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), version: 2, status: 'draft' });
    const v2 = created.body.id;
    const v1 = (await listVersions(system, classifier)).body.prompts.find((p: any) => p.version === 1).id;
    expect((await getJson(`${system.baseUrl}/internal/prompts/${v2}`, API_KEY)).body).toEqual(expect.objectContaining({ fallback_subject: 'reply intent', fallback_text: 'other', status: 'draft' }));

    // preview: this (draft) version's reading of a given reply, with the message it answers; nothing stored
    const preview = await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, { reply: 'Next Friday please', message: 'Your AC servicing is due.' }, API_KEY);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      reply: { text: 'Next Friday please', message_type: 'REMINDER', message_text: 'Your AC servicing is due.', source: 'given' },
      classification: { intent: 'reschedule', summary: 'wants another day', requested_date: '2026-12-11', mood: 'ok', classified_by: 'llm', prompt_version: 2, error: null, flags: [] },
      model: 'gpt-4o-mini',
      prompt_version: 2,
      fallback_reason: null,
    });
    const [asked] = classifierRequests();
    expect(systemPromptOf(asked)).toContain('INTENT-V2');
    expect(userPromptOf(asked)).toContain('<<<REPLY\n"Next Friday please"\nREPLY>>>');
    expect(userPromptOf(asked)).toContain('"Your AC servicing is due."');
    // without a reply: a demo one; an explicit opt-out: the rules, never the model
    const demo = await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, {}, API_KEY);
    expect(demo.body).toEqual(expect.objectContaining({ reply: expect.objectContaining({ source: 'demo' }), classification: expect.objectContaining({ classified_by: 'llm', prompt_version: 2 }) }));
    llm.reset();
    const optOut = await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, { reply: 'Please unsubscribe me' }, API_KEY);
    expect(optOut.body.classification).toEqual(expect.objectContaining({ intent: 'opt_out', classified_by: 'rules', prompt_version: null }));
    expect(classifierRequests()).toHaveLength(0);
    // options of other prompt types are refused, as `reply` is for them
    expect((await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, { customer_id: v1 }, API_KEY)).body.error.code).toBe('not_applicable');
    const reminderV1 = (await listVersions(system, 'agent_type=smartengage&message_type=REMINDER&locale=en')).body.prompts[0].id;
    expect((await postJson(`${system.baseUrl}/internal/prompts/${reminderV1}/preview`, { reply: 'hello' }, API_KEY)).body.error.code).toBe('not_applicable');
    expect(await system.db.selectFrom('message_replies').select('id').execute()).toHaveLength(0);

    // a classifier version has no approval gate: no canary, asked or by default
    expect((await activate(system, v2, { canary_messages: 2 })).body.error.code).toBe('canary_not_supported');
    expect((await activate(system, v2)).body).toEqual({ id: v2, version: 2, status: 'active', retired: { id: v1, version: 1 } });

    // the next reply is classified by v2 (no cache in the classifier)
    answerByVersion();
    const first = await classifiedReply('Can you come next Friday?');
    expect(first).toMatchObject({ intent: 'reschedule', classified_by: 'llm', prompt_version: 2, requested_date: '2026-12-11' });

    // rollback to v1: the next reply is classified by v1
    const rolledBack = await activate(system, v1);
    expect(rolledBack.body).toEqual({ id: v1, version: 1, status: 'active', retired: { id: v2, version: 2 } });
    const detail = await getJson(`${system.baseUrl}/internal/prompts/${v1}`, API_KEY);
    expect(detail.body.events.map((e: any) => e.action)).toEqual(['activated', 'retired', 'rolled_back']);
    const second = await classifiedReply('Can you come next Friday?');
    expect(second).toMatchObject({ intent: 'question', classified_by: 'llm', prompt_version: 1 });
  });

  it('previews without a model: the rules decide and say why', async () => {
    const v1 = (await listVersions(system, classifier)).body.prompts.find((p: any) => p.version === 1).id;
    const version = (await findPromptVersion(system.db, v1))!;
    const preview = await previewPromptVersion(system.db, system.config, { client: null, model: 'gpt-4o-mini' }, version, undefined, undefined, { reply: 'The cleaner broke my vase' });
    expect(preview).toEqual(
      expect.objectContaining({
        classification: expect.objectContaining({ intent: 'complaint', classified_by: 'rules', prompt_version: null, error: 'no LLM configured' }),
        model: 'none',
        prompt_version: 1,
        fallback_reason: 'llm_not_configured',
      }),
    );
  });
});

