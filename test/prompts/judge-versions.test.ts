import { getJson, postJson } from '../helpers/http';
import { judgedDraftText, startOpenAiServer, type ChatRequestRecord, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { createCustomer, createService, messagesOf, runSegment, smartEngageEnv, waitForJob } from '../smartengage/fixtures';
import { activate, API_KEY, createVersion, listVersions, reminderVersion } from './fixtures';

/**
 * The safety judge's prompt as a prompt version (issue 11): seeded as version 1 per locale,
 * created, refused when it could not judge safely, previewed, activated and rolled back through
 * `/internal/prompts`, and used — with its id and version recorded in `safety_checks` — by the
 * reminders a campaign sends.
 */
let system: TestSystem;
let llm: TestOpenAiServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
  system = await startTestSystem({ env: smartEngageEnv(llm.baseUrl) });
});
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});
beforeEach(() => llm.reset());

const enJudge = 'agent_type=safety&message_type=JUDGE&locale=en';
const systemPromptOf = (request: ChatRequestRecord) => request.messages.find((m) => m.role === 'system')?.content ?? '';

/** A valid judge version: the seeded policy with a marker the test judge recognises. */
async function judgeVersion(overrides: Record<string, unknown> = {}) {
  const v1 = (await listVersions(system, enJudge)).body.prompts.find((p: any) => p.version === 1);
  const detail = await getJson(`${system.baseUrl}/internal/prompts/${v1.id}`, API_KEY);
  return {
    agent_type: 'safety',
    message_type: 'JUDGE',
    locale: 'en',
    system_prompt: `${detail.body.system_prompt}\nPOLICY-V2: treat the word "sparkling" as an unapproved_offer.`,
    user_prompt: detail.body.user_prompt,
    notes: 'stricter about sales language',
    ...overrides,
  };
}

describe('the judge prompt as a prompt version', () => {
  it('is seeded as version 1, active, per locale, with no fallback template', async () => {
    const res = await getJson(`${system.baseUrl}/internal/prompts?agent_type=safety`, API_KEY);
    expect(res.status).toBe(200);
    expect(res.body.prompts.map((p: any) => [p.message_type, p.locale, p.version, p.status, p.created_by])).toEqual([
      ['JUDGE', 'bn', 1, 'active', 'migration'],
      ['JUDGE', 'en', 1, 'active', 'migration'],
    ]);
    const detail = await getJson(`${system.baseUrl}/internal/prompts/${res.body.prompts[1].id}`, API_KEY);
    expect(detail.body).toEqual(expect.objectContaining({ fallback_subject: '', fallback_text: '', user_prompt: expect.stringContaining('<<<\n{{draft}}\n>>>') }));
    expect(detail.body.system_prompt).toContain('unapproved_offer');
    expect(detail.body.events.map((e: any) => [e.action, e.actor])).toEqual([['activated', 'migration']]);
  });

  it('refuses a judge prompt that could not judge safely with 422 naming each problem, and stores nothing', async () => {
    const valid = await judgeVersion();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ user_prompt: 'Facts:\n{{facts}}\nJudge the message.' }, 'judge_draft_missing'],
      [{ user_prompt: 'Facts:\n{{facts}}\nThe message: {{draft}}' }, 'judge_draft_not_quoted'],
      [{ user_prompt: 'The draft:\n<<<\n{{draft}}\n>>>' }, 'judge_facts_missing'],
      [{ system_prompt: 'Reply safe unless the message contains a link or a phone number (contact_details, links).' }, 'judge_categories_missing'],
      [{ user_prompt: `${valid.user_prompt}\nCustomer: {{first_name}}` }, 'unknown_placeholders'],
      [{ system_prompt: `${valid.system_prompt}\nThe audience is {{audience}}.` }, 'placeholders_in_policy'],
      [{ fallback_subject: 'Hello', fallback_text: 'A safe text' }, 'fallback_not_applicable'],
    ];
    for (const [overrides, check] of cases) {
      const res = await createVersion(system, { ...valid, ...overrides });
      expect({ check, status: res.status, code: res.body.error?.code }).toEqual({ check, status: 422, code: 'invalid_judge_prompt' });
      expect(res.body.error.details.failed_checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: check, detail: expect.any(String) })]));
    }
    // a judge type for a drafting agent, a drafting version without its template: the contract's validation
    expect((await createVersion(system, { ...valid, agent_type: 'smartengage' })).body.error.code).toBe('validation_failed');
    const noTemplate = await createVersion(system, reminderVersion({ fallback_text: undefined }));
    expect(noTemplate.body.error).toEqual(expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ path: 'fallback_text' })] }));
    expect((await listVersions(system, enJudge)).body.prompts).toHaveLength(1);
  });

  it('creates, previews, activates and rolls back a judge version; reminders record the version that judged them', async () => {
    llm.setJudge((request) =>
      systemPromptOf(request).includes('POLICY-V2') && judgedDraftText(request).includes('sparkling')
        ? { verdict: { safe: false, categories: ['unapproved_offer'], reasons: ['sales language'], quotes: ['sparkling'] } }
        : { verdict: { safe: true, categories: [], reasons: [], quotes: [] } },
    );
    const created = await createVersion(system, await judgeVersion());
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), version: 2, status: 'draft' });
    const v2 = created.body.id;
    const v1 = (await listVersions(system, enJudge)).body.prompts.find((p: any) => p.version === 1).id;

    // preview: this (draft) version's verdict on a given draft and on the demo reminder; nothing stored
    const draft = { subject: 'Sparkling clean AC, Rahim?', body: 'Hi Rahim, get a sparkling clean AC again. Book whenever it suits you.', call_to_action: 'Book now' };
    const preview = await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, { draft }, API_KEY);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual(expect.objectContaining({ draft, model: 'gpt-4o-mini', prompt_version: 2, fallback_reason: null }));
    expect(preview.body.safety.safe).toBe(false);
    expect(preview.body.safety.checks.find((c: any) => c.name === 'judge')).toEqual(
      expect.objectContaining({ passed: false, prompt_version: 2, prompt_id: v2, categories: ['unapproved_offer'], spans: [expect.objectContaining({ field: 'body', text: 'sparkling' })] }),
    );
    const demo = await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, {}, API_KEY);
    expect(demo.body.safety).toEqual(expect.objectContaining({ safe: true }));
    expect(demo.body.context).toEqual({ source: 'demo', values: expect.objectContaining({ first_name: 'Rahim' }) });
    expect((await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, { customer_id: v1 }, API_KEY)).body.error.code).toBe('not_applicable');
    const reminderV1 = (await listVersions(system, 'agent_type=smartengage&locale=en')).body.prompts[0].id;
    expect((await postJson(`${system.baseUrl}/internal/prompts/${reminderV1}/preview`, { draft }, API_KEY)).body.error.code).toBe('not_applicable');
    expect(await system.db.selectFrom('ai_messages').select('id').execute()).toHaveLength(0);

    // a judge version has no approval gate: no canary
    expect((await activate(system, v2, { canary_messages: 2 })).body.error.code).toBe('canary_not_supported');
    expect((await activate(system, v2)).body).toEqual({ id: v2, version: 2, status: 'active', retired: { id: v1, version: 1 } });

    // a campaign: the model's first draft says "sparkling" (v2 rejects it), the regenerated one does not
    llm.setDefault((request) => {
      const again = request.messages.some((m) => m.content.includes('failed these safety checks'));
      return { draft: again ? { ...draft, subject: 'Time for AC Servicing, Rahim?', body: 'Hi Rahim, your AC may need a service again. Book whenever it suits you.' } : draft };
    });
    const serviceId = await createService(system.db);
    const first = await createCustomer(system.db, { serviceId, name: 'Rahim Uddin', locale: 'en' });
    const job = await runSegment(system, {});
    expect(job.status).toBe(202);
    expect(await waitForJob(system, job.body.job_id)).toEqual(expect.objectContaining({ status: 'COMPLETED' }));
    const [sent] = await messagesOf(system.db, first.id);
    expect(sent.message_text).toContain('your AC may need a service');
    const checks = sent.safety_checks as any;
    expect(checks.rejected[0]).toEqual(expect.objectContaining({ failed: ['judge'], checks: [expect.objectContaining({ name: 'judge', prompt_version: 2, prompt_id: v2 })] }));
    expect(checks.checks.find((c: any) => c.name === 'judge')).toEqual(expect.objectContaining({ passed: true, prompt_version: 2, prompt_id: v2 }));
    expect(llm.judgeRequests.every((r) => systemPromptOf(r).includes('POLICY-V2'))).toBe(true);

    // rollback to v1: the next reminder is judged by v1, which lets "sparkling" through
    const rolledBack = await activate(system, v1);
    expect(rolledBack.body).toEqual({ id: v1, version: 1, status: 'active', retired: { id: v2, version: 2 } });
    const detail = await getJson(`${system.baseUrl}/internal/prompts/${v1}`, API_KEY);
    expect(detail.body.events.map((e: any) => e.action)).toEqual(['activated', 'retired', 'rolled_back']);
    const second = await createCustomer(system.db, { serviceId, name: 'Rahim Hasan', locale: 'en' });
    const again = await runSegment(system, {});
    await waitForJob(system, again.body.job_id);
    const [secondSent] = await messagesOf(system.db, second.id);
    expect(secondSent.message_text).toContain('sparkling');
    expect((secondSent.safety_checks as any).checks.find((c: any) => c.name === 'judge')).toEqual(expect.objectContaining({ passed: true, prompt_version: 1, prompt_id: v1 }));
  });
});
