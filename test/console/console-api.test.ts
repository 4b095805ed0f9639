import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  CampaignListSchema,
  CoachnovaActivitySchema,
  CoachnovaBoardSchema,
  ConsoleSettingsSchema,
  CustomerDetailSchema,
  CustomerMatchListSchema,
} from '../../src/console/schemas';
import { getJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { createWorker } from '../coachnova/fixtures';
import { API_KEY, createCustomer, createService, customerToken } from '../smartengage/fixtures';

/** The console's static files and its read endpoints: access, validation, answers (no browser). */
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ worker: false });
});
afterAll(async () => {
  await system?.stop();
});

const get = (path: string, headers: Record<string, string> = API_KEY) => getJson(`${system.baseUrl}${path}`, headers);

describe('GET /console', () => {
  it('serves the built console under the API CSP, and index.html for the client-side routes', async () => {
    for (const path of ['/console', '/console/', '/console/campaigns/00000000-0000-4000-8000-000000000000']) {
      const res = await fetch(`${system.baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<div id="root"></div>');
    }
    const html = await (await fetch(`${system.baseUrl}/console/`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(`${system.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${system.baseUrl}/console/assets/gone-after-a-rebuild.js`)).status).toBe(404);
  });
});

describe('/internal/console', () => {
  it('answers operators only', async () => {
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId });
    expect((await get('/internal/console/campaigns', {})).status).toBe(401);
    const asCustomer = await get('/internal/console/campaigns', { authorization: `Bearer ${await customerToken(system, customer)}` });
    expect(asCustomer.status).toBe(403);
    expect((await get('/internal/console/campaigns')).body).toEqual({ campaigns: [] });
  });

  it('finds customers by email, its beginning or id, and refuses bad input with a clear 422', async () => {
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId, name: 'Nusrat Jahan' });
    const byEmail = await get(`/internal/console/customers?q=${encodeURIComponent(customer.email.toUpperCase())}`);
    expect(byEmail.body.customers).toEqual([expect.objectContaining({ id: customer.id, full_name: 'Nusrat Jahan' })]);
    expect((await get(`/internal/console/customers?q=${customer.email.slice(0, 12)}`)).body.customers.map((c: { id: string }) => c.id)).toContain(customer.id);
    expect((await get(`/internal/console/customers?q=${customer.id}`)).body.customers).toHaveLength(1);
    // LIKE wildcards are text, not patterns
    expect((await get('/internal/console/customers?q=%25%25%25')).body.customers).toEqual([]);

    const short = await get('/internal/console/customers?q=ab');
    expect(short.status).toBe(422);
    expect(short.body.error.details).toEqual([expect.objectContaining({ path: 'q', message: expect.stringContaining('at least 3') })]);
    expect(short.body.correlation_id).toEqual(expect.any(String));
    expect((await get('/internal/console/customers/not-a-uuid')).status).toBe(422);
    expect((await get('/internal/console/customers/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    const detail = await get(`/internal/console/customers/${customer.id}`);
    expect(detail.body).toEqual({ customer: expect.objectContaining({ id: customer.id }), messages: [] });
  });

  it('puts workers on the board with their risk and factors; the activity lists are empty before any tip', async () => {
    const worker = await createWorker(system.db, { name: 'Jamal Hossain' });
    const board = await get('/internal/console/coachnova/workers');
    const entry = board.body.workers.find((w: { worker_id: string }) => w.worker_id === worker.id);
    expect(entry).toEqual(expect.objectContaining({ full_name: 'Jamal Hossain', view: expect.objectContaining({ source: 'database', risk: expect.objectContaining({ level: 'LOW', factors: expect.any(Array) }) }) }));
    expect((await get(`/internal/console/coachnova/activity?worker_id=${worker.id}`)).body).toEqual({ tips: [], escalations: [] });
    expect((await get('/internal/console/coachnova/activity?worker_id=nope')).status).toBe(422);
    expect((await get('/internal/console/campaigns?limit=0')).status).toBe(422);
  });

  it('tells the console where the Temporal UI is', async () => {
    expect((await get('/internal/console/settings')).body).toEqual({ temporal_ui_url: `http://localhost:${system.config.TEMPORAL_UI_PORT}`, namespace: system.config.TEMPORAL_NAMESPACE, schedule_id: system.config.SE_SCHEDULE_ID });
  });
});

describe('answers and their documentation', () => {
  /** The answer as its schema reads it, unknown fields dropped: equal to the answer only when nothing is undocumented. */
  const documented = (schema: z.ZodType, body: unknown) => expect(schema.parse(body)).toEqual(body);

  it('every answer, with data in every field, is what /openapi.json documents', async () => {
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId });
    const worker = await createWorker(system.db);
    const campaign = await system.db
      .insertInto('campaigns')
      .values({ segment_id: `seg_${randomUUID().slice(0, 8)}`, criteria: JSON.stringify({}), status: 'COMPLETED', eligible_count: 3, sent_count: 2, skipped_count: 1, skipped_reasons: JSON.stringify({ no_consent: 1 }), workflow_id: `campaign-${randomUUID()}`, finished_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const message = { role: 'CUSTOMER' as const, channel: 'EMAIL' as const, message_text: 'Come back', subject: 'We miss you', locale: 'en' as const, model: 'gpt-test', prompt_version: 1 };
    await system.db
      .insertInto('ai_messages')
      .values([
        { ...message, user_id: customer.id, agent_type: 'smartengage', message_type: 'REMINDER', campaign_id: campaign.id, workflow_id: 'reengagement-x', safety_checks: JSON.stringify({ safe: true, checks: [{ name: 'pii', passed: true }], fallback_reason: 'llm_unavailable' }), delivery_status: 'SENT', sent_at: new Date(), user_response: 'CLICKED', responded_at: new Date() },
        { ...message, role: 'WORKER', user_id: worker.id, worker_id: worker.id, agent_type: 'coachnova', message_type: 'COACHING', workflow_id: `coaching-${worker.id}`, safety_checks: JSON.stringify({}) },
      ])
      .execute();
    await system.db
      .insertInto('supervisor_alerts')
      .values({ worker_id: worker.id, idempotency_key: randomUUID(), score: 81.5, level: 'HIGH', factors: JSON.stringify([]), workflow_id: `coaching-${worker.id}`, sent_at: new Date() })
      .execute();

    const answers: Array<[string, z.ZodObject]> = [
      ['/internal/console/settings', ConsoleSettingsSchema],
      ['/internal/console/campaigns', CampaignListSchema],
      [`/internal/console/customers?q=${customer.id}`, CustomerMatchListSchema],
      [`/internal/console/customers/${customer.id}`, CustomerDetailSchema],
      ['/internal/console/coachnova/workers', CoachnovaBoardSchema],
      [`/internal/console/coachnova/activity?worker_id=${worker.id}`, CoachnovaActivitySchema],
    ];
    for (const [path, schema] of answers) {
      const res = await get(path);
      expect(`${path} ${res.status}`).toBe(`${path} 200`);
      documented(schema, res.body);
    }
    const detail = (await get(`/internal/console/customers/${customer.id}`)).body;
    expect(detail.messages[0]).toMatchObject({ safety: { safe: true, failed: [], fallback_reason: 'llm_unavailable' }, response: 'CLICKED' });
    const activity = (await get(`/internal/console/coachnova/activity?worker_id=${worker.id}`)).body;
    expect(activity.escalations).toEqual([expect.objectContaining({ score: 81.5, level: 'HIGH' })]);
    expect(activity.tips).toEqual([expect.objectContaining({ message_type: 'COACHING', delivery_status: 'PENDING', user_response: null })]);

    // each path's 200 names its schema, not an open object
    const doc = (await getJson(`${system.baseUrl}/openapi.json`)).body;
    for (const [path, schema] of answers) {
      const documentedPath = path.split('?')[0].replace(customer.id, '{id}');
      const ok = doc.paths[documentedPath].get.responses['200'].content['application/json'].schema;
      expect(Object.keys(ok.properties).sort()).toEqual(Object.keys(schema.shape).sort());
    }
  });
});
