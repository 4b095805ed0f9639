import { getJson, postJson } from '../helpers/http';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { createCustomer, createService } from '../smartengage/fixtures';
import { activate, API_KEY, createVersion, listVersions, operatorAuth, reminderVersion } from './fixtures';

let system: TestSystem;
let llm: TestOpenAiServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
  system = await startTestSystem({ worker: false, env: { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: llm.baseUrl, SE_CANARY_MESSAGES: '5' } });
});
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});
beforeEach(() => llm.reset());

const enReminders = 'agent_type=smartengage&message_type=REMINDER&locale=en';

describe('prompt versions as a lifecycle', () => {
  it('lists the seeded versions as active, with the contract fields', async () => {
    const res = await getJson(`${system.baseUrl}/internal/prompts`, API_KEY);
    expect(res.status).toBe(200);
    // six drafting prompts, the judge's policy per locale (0017) and the reply classifier (0018)
    expect(res.body.prompts).toHaveLength(9);
    expect(res.body.prompts[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        agent_type: expect.any(String),
        message_type: expect.any(String),
        locale: expect.any(String),
        version: 1,
        status: 'active',
        notes: null,
        created_by: 'migration',
        created_at: expect.any(String),
        messages_sent: 0,
      }),
    );
    const unauthenticated = await getJson(`${system.baseUrl}/internal/prompts`);
    expect(unauthenticated.status).toBe(401);
  });

  it('creates a draft, previews it, activates it as a canary, retires the old one, and rolls back — each step recorded with its actor', async () => {
    const operator = await operatorAuth(system, 'lead@example.test');
    const created = await createVersion(system, reminderVersion(), operator);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), version: 2, status: 'draft' });
    const v2 = created.body.id;

    // the draft is not used yet: v1 is still the active one
    let list = await listVersions(system, enReminders);
    expect(list.body.prompts.map((p: any) => [p.version, p.status, p.created_by])).toEqual([
      [2, 'draft', 'lead@example.test'],
      [1, 'active', 'migration'],
    ]);
    const v1 = list.body.prompts[1].id;

    // preview with the model, for the demo context: the model is asked with this version's prompts
    llm.enqueue({ draft: { subject: 'Time for AC Servicing, Rahim?', body: 'Hi Rahim, your AC may need a service again. Book whenever it suits you.', call_to_action: 'Book now' } });
    const preview = await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, {}, API_KEY);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual(
      expect.objectContaining({
        draft: { subject: 'Time for AC Servicing, Rahim?', body: expect.stringContaining('Hi Rahim'), call_to_action: 'Book now' },
        safety: expect.objectContaining({ safe: true, checks: expect.arrayContaining([expect.objectContaining({ name: 'links', passed: true })]), flags: [] }),
        model: 'gpt-4o-mini',
        prompt_version: 2,
      }),
    );
    expect(llm.chatRequests[0].messages.map((m) => m.content).join('\n')).toContain('friendly booking reminders in plain English');
    expect(llm.chatRequests[0].messages.map((m) => m.content).join('\n')).toContain('Customer first name: Rahim');

    // preview for a real customer: their name, their service in the version's language
    const serviceId = await createService(system.db, { name: 'Deep Cleaning', name_bn: 'ডিপ ক্লিনিং' });
    const customer = await createCustomer(system.db, { serviceId, name: 'Nusrat Jahan', lastBookingDaysAgo: 40 });
    llm.enqueue({ status: 500 });
    const forCustomer = await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, { customer_id: customer.id }, API_KEY);
    expect(forCustomer.status).toBe(200);
    expect(forCustomer.body).toEqual(
      expect.objectContaining({
        draft: expect.objectContaining({ subject: 'Your Deep Cleaning is due, Nusrat', body: expect.stringContaining('another Deep Cleaning') }),
        model: 'template',
        fallback_reason: 'llm_unavailable',
        context: { source: 'customer', values: { first_name: 'Nusrat', service_name: 'Deep Cleaning', days_since_last_booking: 40 } },
      }),
    );
    const unknownCustomer = await postJson(`${system.baseUrl}/internal/prompts/${v2}/preview`, { customer_id: '00000000-0000-4000-8000-00000000dead' }, API_KEY);
    expect(unknownCustomer.status).toBe(404);
    // nothing stored, nothing sent
    expect(await system.db.selectFrom('ai_messages').select('id').execute()).toHaveLength(0);
    expect(system.smtp.messages).toHaveLength(0);

    // activate: a canary of SE_CANARY_MESSAGES (5) messages; v1 retired
    const activated = await activate(system, v2, {}, operator);
    expect(activated.status).toBe(200);
    expect(activated.body).toEqual({ id: v2, version: 2, status: 'canary', retired: { id: v1, version: 1 } });
    list = await listVersions(system, enReminders);
    expect(list.body.prompts.map((p: any) => [p.version, p.status])).toEqual([
      [2, 'canary'],
      [1, 'retired'],
    ]);
    expect(list.body.prompts[0].canary).toEqual({ messages: 5, used: 0 });
    // the Bengali reminder is untouched
    expect((await listVersions(system, 'agent_type=smartengage&locale=bn')).body.prompts.map((p: any) => p.status)).toEqual(['active']);

    // rollback: activating the retired v1 (no canary: it has run before)
    const rolledBack = await activate(system, v1);
    expect(rolledBack.body).toEqual({ id: v1, version: 1, status: 'active', retired: { id: v2, version: 2 } });
    list = await listVersions(system, enReminders);
    expect(list.body.prompts.map((p: any) => [p.version, p.status])).toEqual([
      [2, 'retired'],
      [1, 'active'],
    ]);

    // the audit trail of v2 says who did what, in order
    const detail = await getJson(`${system.baseUrl}/internal/prompts/${v2}`, API_KEY);
    expect(detail.body.events.map((e: any) => [e.action, e.actor])).toEqual([
      ['created', 'lead@example.test'],
      ['canary_started', 'lead@example.test'],
      ['retired', 'internal-api-key'],
    ]);
    const v1Detail = await getJson(`${system.baseUrl}/internal/prompts/${v1}`, API_KEY);
    expect(v1Detail.body.events.map((e: any) => e.action)).toEqual(['activated', 'retired', 'rolled_back']);

    // activating straight to active (canary 0), then the active one again: a no-op
    const direct = await activate(system, v2, { canary_messages: 0 });
    expect(direct.body).toEqual({ id: v2, version: 2, status: 'active', retired: { id: v1, version: 1 } });
    expect((await activate(system, v2)).body).toEqual({ id: v2, version: 2, status: 'active', retired: null });
    await activate(system, v1);
  });

  it('refuses an unsafe fallback template with 422 naming the failed checks, and stores nothing', async () => {
    const before = (await listVersions(system, enReminders)).body.prompts.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ fallback_text: 'Hi {{first_name}}, call us on 01712-345678 to book your {{service_name}}.' }, 'pii'],
      [{ fallback_text: 'Hi {{first_name}}, book your {{service_name}} at https://cheap-deals.example.com today.' }, 'links'],
      [{ fallback_text: 'Hi {{first_name}}, your {{service_name}} costs {{price}} this week.' }, 'unknown_placeholders'],
      [{ user_prompt: 'Name: {{first_name}} Coupon: {{coupon_code}}' }, 'unknown_placeholders'],
    ];
    for (const [overrides, check] of cases) {
      const res = await createVersion(system, reminderVersion(overrides));
      expect({ check, status: res.status, code: res.body.error?.code }).toEqual({ check, status: 422, code: 'unsafe_template' });
      expect(res.body.error.message).toContain(check);
      expect(res.body.error.details.failed_checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: check })]));
    }
    const unknown = await createVersion(system, reminderVersion({ fallback_text: 'Hi {{first_name}}, your {{service_name}} costs {{price}} this week.' }));
    expect(unknown.body.error.details.failed_checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'unknown_placeholders', detail: expect.stringContaining('{{price}}') })]));
    expect((await listVersions(system, enReminders)).body.prompts).toHaveLength(before);
  });

  it('validates requests: a wrong agent/type pair, an unknown field, an unknown version', async () => {
    const pair = await createVersion(system, reminderVersion({ agent_type: 'coachnova' }));
    expect(pair.status).toBe(422);
    expect(pair.body.error.code).toBe('validation_failed');
    const extra = await createVersion(system, reminderVersion({ is_active: true }));
    expect(extra.status).toBe(422);
    const missing = await activate(system, '00000000-0000-4000-8000-00000000beef');
    expect(missing.status).toBe(404);
    const badCanary = await activate(system, '00000000-0000-4000-8000-00000000beef', { canary_messages: -1 });
    expect(badCanary.status).toBe(422);
  });

  it('never edits a version: the database refuses it too', async () => {
    const [row] = await system.db.selectFrom('prompt_templates').select('id').where('locale', '=', 'bn').where('message_type', '=', 'REMINDER').execute();
    await expect(system.db.updateTable('prompt_templates').set({ fallback_text: 'changed' }).where('id', '=', row.id).execute()).rejects.toThrow(/never edited/);
  });

  it('gives CoachNova tips and check-ins the same lifecycle (no canary: their gate is SmartEngage only)', async () => {
    const tip = await createVersion(system, {
      agent_type: 'coachnova',
      message_type: 'COACHING',
      locale: 'en',
      system_prompt: 'You are a kind coach. One short tip, at most 40 words.',
      user_prompt: 'Worker: {{first_name}}\nService: {{service_name}}\nRating: {{rating}}\nFeedback: {{feedback}}',
      fallback_subject: 'A tip after your last job',
      fallback_text: 'Thank you for the {{service_name}} job, {{first_name}}. A short call before you arrive helps the customer plan. Keep going!',
    });
    expect(tip.status).toBe(201);
    expect(tip.body.version).toBe(2);
    const refused = await activate(system, tip.body.id, { canary_messages: 3 });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('canary_not_supported');
    const activated = await activate(system, tip.body.id);
    expect(activated.body).toEqual(expect.objectContaining({ version: 2, status: 'active' }));
    const list = await listVersions(system, 'agent_type=coachnova&message_type=COACHING&locale=en');
    expect(list.body.prompts.map((p: any) => [p.version, p.status])).toEqual([
      [2, 'active'],
      [1, 'retired'],
    ]);
    const preview = await postJson(`${system.baseUrl}/internal/prompts/${tip.body.id}/preview`, {}, API_KEY);
    expect(preview.status).toBe(200);
    expect(preview.body.context.values).toEqual(expect.objectContaining({ first_name: 'Karim', rating: 2 }));
    const rollback = await activate(system, list.body.prompts[1].id);
    expect(rollback.body.status).toBe('active');
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = await getJson(`${system.baseUrl}/openapi.json`);
    for (const path of ['/internal/prompts', '/internal/prompts/{id}/preview', '/internal/prompts/{id}/activate']) expect(doc.body.paths[path]).toBeDefined();
    expect(doc.body.components.schemas.PromptVersionList).toBeDefined();
  });
});
