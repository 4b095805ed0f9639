import { randomUUID } from 'node:crypto';
import { createLogger } from '../../src/lib/logger';
import { signDeepLinkToken } from '../../src/smartengage/deep-link-token';
import { ensureDailySchedule } from '../../src/temporal/clients/cadence-schedule';
import { getJson, postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { API_KEY, createCustomer, createService, customerToken, runSegment, smartEngageEnv, waitForJob } from './fixtures';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ env: smartEngageEnv() });
});
afterAll(async () => {
  await system?.stop();
});

const del = (path: string) => fetch(`${system.baseUrl}${path}`, { method: 'DELETE', headers: API_KEY });

describe('POST /internal/ai/smartengage/run-segment', () => {
  it('accepts minimal {} criteria with configured defaults and echoes the correlation id', async () => {
    const res = await runSegment(system, {}, { 'x-correlation-id': 'contract-min-1' });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-correlation-id')).toBe('contract-min-1');
    expect(res.body).toEqual(expect.objectContaining({ job_id: expect.stringMatching(/^[0-9a-f-]{36}$/), segment_id: expect.stringMatching(/^seg_[0-9a-f]{16}$/), estimated_customers: 0 }));
    const job = await waitForJob(system, res.body.job_id);
    expect(job).toEqual(expect.objectContaining({ status: 'COMPLETED', correlation_id: 'contract-min-1', counts: expect.objectContaining({ eligible: 0, sent: 0 }) }));
    expect(job.criteria).toEqual(expect.objectContaining({ booking_cadence_days: 21, send_window_start: '00:00', frequency_cap_hours: 24 }));
  });

  it('stops at max_customers', async () => {
    const serviceId = await createService(system.db, { name: 'Painting', name_bn: 'রং করা' });
    await Promise.all(Array.from({ length: 3 }, (_, i) => createCustomer(system.db, { serviceId, name: `Capped ${i}` })));
    const res = await runSegment(system, { segment_criteria: { service_ids: [serviceId], max_customers: 2, page_size: 1 } });
    expect(res.body.estimated_customers).toBe(2);
    const job = await waitForJob(system, res.body.job_id);
    expect(job.counts).toEqual(expect.objectContaining({ eligible: 2, sent: 2 }));
  });

  it('accepts a body without content (same as {})', async () => {
    const res = await fetch(`${system.baseUrl}/internal/ai/smartengage/run-segment`, { method: 'POST', headers: API_KEY });
    expect(res.status).toBe(202);
  });

  it('answers malformed JSON with a 400 JSON error carrying the correlation id', async () => {
    const res = await runSegment(system, '{"segment_criteria": {', { 'x-correlation-id': 'contract-bad-json' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'malformed_json', message: expect.any(String), details: null }, correlation_id: 'contract-bad-json' });
  });

  it.each([
    ['a string cadence', { segment_criteria: { booking_cadence_days: '21' } }, 'segment_criteria.booking_cadence_days'],
    ['a bad clock time', { segment_criteria: { send_window_start: '25:00' } }, 'segment_criteria.send_window_start'],
    ['an unknown criteria field', { segment_criteria: { cadence: 21 } }, 'segment_criteria'],
    ['an unknown top-level field', { criteria: {} }, ''],
    ['criteria that are not an object', { segment_criteria: [] }, 'segment_criteria'],
  ])('rejects %s with 422 naming the field', async (_label, body, path) => {
    const res = await runSegment(system, body, { 'x-correlation-id': 'contract-422' });
    expect(res.status).toBe(422);
    expect(res.body.correlation_id).toBe('contract-422');
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it('needs the internal API key or an operator token', async () => {
    const res = await postJson(`${system.baseUrl}/internal/ai/smartengage/run-segment`, {});
    expect(res.status).toBe(401);
    const customer = await createCustomer(system.db, { serviceId: await createService(system.db) });
    const asCustomer = await postJson(`${system.baseUrl}/internal/ai/smartengage/run-segment`, {}, { authorization: `Bearer ${await customerToken(system, customer)}` });
    expect(asCustomer.status).toBe(403);
  });

  it('answers unknown and malformed job ids with 404 and 422', async () => {
    expect((await getJson(`${system.baseUrl}/internal/ai/smartengage/jobs/${randomUUID()}`, API_KEY)).status).toBe(404);
    expect((await getJson(`${system.baseUrl}/internal/ai/smartengage/jobs/not-a-uuid`, API_KEY)).status).toBe(422);
  });
});

describe('cadence schedules', () => {
  it('creates, lists, pauses, resumes, triggers and deletes a schedule; a triggered run has its campaigns row', async () => {
    const id = `se-test-${randomUUID().slice(0, 8)}`;
    const created = await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules`, { schedule_id: id, cron: '0 3 * * *', segment_criteria: { booking_cadence_days: 30 } }, API_KEY);
    expect(created.status).toBe(201);
    expect(created.body).toEqual(expect.objectContaining({ schedule_id: id, cron: '0 3 * * *', timezone: 'Asia/Dhaka', paused: false, criteria: { booking_cadence_days: 30 } }));
    expect(created.body.next_runs.length).toBeGreaterThan(0);
    expect((await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules`, { schedule_id: id }, API_KEY)).status).toBe(409);
    expect((await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules`, { cron: 'every day' }, API_KEY)).status).toBe(422);

    await eventually(async () => {
      const list = await getJson(`${system.baseUrl}/internal/ai/smartengage/schedules`, API_KEY);
      return list.body.schedules.some((s: { schedule_id: string }) => s.schedule_id === id);
    });

    const paused = await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules/${id}/pause`, { note: 'holiday' }, API_KEY);
    expect(paused.body).toEqual(expect.objectContaining({ paused: true, note: 'holiday' }));
    const resumed = await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules/${id}/unpause`, {}, API_KEY);
    expect(resumed.body.paused).toBe(false);

    expect((await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules/${id}/trigger`, {}, API_KEY)).status).toBe(202);
    const campaign = await eventually(() =>
      system.db.selectFrom('campaigns').selectAll().where('correlation_id', 'like', `${id}-run%`).executeTakeFirst(),
    );
    expect(campaign.criteria).toEqual(expect.objectContaining({ booking_cadence_days: 30 }));
    const job = await waitForJob(system, campaign.id);
    expect(job.status).toBe('COMPLETED');

    expect((await del(`/internal/ai/smartengage/schedules/${id}`)).status).toBe(204);
    expect((await getJson(`${system.baseUrl}/internal/ai/smartengage/schedules/${id}`, API_KEY)).status).toBe(404);
    expect((await del(`/internal/ai/smartengage/schedules/${id}`)).status).toBe(404);
  });

  it('ensureDailySchedule (npm start) creates the daily schedule once', async () => {
    const config = { ...system.config, SE_SCHEDULE_ID: `se-daily-${randomUUID().slice(0, 8)}` };
    expect(await ensureDailySchedule(system.client, config, createLogger('silent'))).toBe('created');
    expect(await ensureDailySchedule(system.client, config, createLogger('silent'))).toBe('exists');
    const view = await getJson(`${system.baseUrl}/internal/ai/smartengage/schedules/${config.SE_SCHEDULE_ID}`, API_KEY);
    expect(view.body).toEqual(expect.objectContaining({ cron: config.SE_SCHEDULE_CRON, timezone: 'Asia/Dhaka', paused: false }));
    await del(`/internal/ai/smartengage/schedules/${config.SE_SCHEDULE_ID}`);
  });
});

describe('tracked links', () => {
  it('shows a friendly 400 page for a forged token and 410 for an expired one', async () => {
    const forged = await fetch(`${system.baseUrl}/l/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('content-type')).toMatch(/text\/html/);
    const forgedPage = await forged.text();
    expect(forgedPage).toContain('লিংকটি সঠিক নয়');
    expect(forgedPage).toContain('This link is not valid');

    const claims = { tokenId: randomUUID(), customerId: randomUUID(), serviceId: randomUUID(), promoCode: null };
    const wrongKey = await signDeepLinkToken({ ...claims, expiresAt: new Date(Date.now() + 3600_000) }, { ...system.config, DEEPLINK_SECRET: 'another-secret-that-is-at-least-32-chars!' });
    expect((await fetch(`${system.baseUrl}/l/${wrongKey}`, { redirect: 'manual' })).status).toBe(400);

    const expired = await signDeepLinkToken({ ...claims, expiresAt: new Date(Date.now() - 1000) }, system.config);
    const res = await fetch(`${system.baseUrl}/l/${expired}`, { redirect: 'manual' });
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('This link has expired');
  });
});

describe('bookings and messages', () => {
  it('validates bookings: auth, service, operator naming the customer', async () => {
    const serviceId = await createService(system.db);
    const inactive = await createService(system.db, { is_active: false });
    const customer = await createCustomer(system.db, { serviceId });
    const auth = { authorization: `Bearer ${await customerToken(system, customer)}` };
    const when = new Date(Date.now() + 86_400_000).toISOString();
    expect((await postJson(`${system.baseUrl}/bookings`, { service_id: serviceId, scheduled_at: when })).status).toBe(401);
    expect((await postJson(`${system.baseUrl}/bookings`, { service_id: randomUUID(), scheduled_at: when }, auth)).status).toBe(404);
    expect((await postJson(`${system.baseUrl}/bookings`, { service_id: inactive, scheduled_at: when }, auth)).status).toBe(422);
    expect((await postJson(`${system.baseUrl}/bookings`, { service_id: serviceId, scheduled_at: 'tomorrow' }, auth)).status).toBe(422);
    expect((await postJson(`${system.baseUrl}/bookings`, { service_id: serviceId, scheduled_at: when, deep_link_token: 'not-a-token-at-all' }, auth)).status).toBe(400);
    expect((await postJson(`${system.baseUrl}/bookings`, { service_id: serviceId, scheduled_at: when }, API_KEY)).status).toBe(422);

    const ok = await postJson(`${system.baseUrl}/bookings`, { service_id: serviceId, scheduled_at: when, customer_id: customer.id }, API_KEY);
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual(expect.objectContaining({ status: 'PENDING', customer_id: customer.id, service_id: serviceId, total_price: 1500, source_message_id: null }));
  });

  it('records an acknowledgement directly when the message has no running workflow', async () => {
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId });
    const message = await system.db
      .insertInto('ai_messages')
      .values({ user_id: customer.id, role: 'CUSTOMER', agent_type: 'smartengage', channel: 'EMAIL', message_type: 'REMINDER', message_text: 'hello', safety_checks: '{}', workflow_id: `gone-${randomUUID()}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ack = await postJson(`${system.baseUrl}/messages/${message.id}/ack`, {}, { authorization: `Bearer ${await customerToken(system, customer)}` });
    expect(ack.status).toBe(202);
    expect(ack.body).toEqual({ message_id: message.id, response: 'ACKNOWLEDGED', delivered_to: 'recorded' });
    const row = await system.db.selectFrom('ai_messages').select('user_response').where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(row.user_response).toBe('ACKNOWLEDGED');
    expect((await postJson(`${system.baseUrl}/messages/${message.id}/reply`, { text: '' }, API_KEY)).status).toBe(422);
    const asOperator = await getJson(`${system.baseUrl}/messages/${message.id}`, API_KEY);
    expect(asOperator.body.operator).toEqual(expect.objectContaining({ user_id: customer.id }));
  });

  it('validates the funnel query and documents every SmartEngage route', async () => {
    expect((await getJson(`${system.baseUrl}/internal/analytics/smartengage?from=yesterday`, API_KEY)).status).toBe(422);
    expect((await getJson(`${system.baseUrl}/internal/analytics/smartengage?from=2026-02-01&to=2026-01-01`, API_KEY)).status).toBe(422);
    const empty = await getJson(`${system.baseUrl}/internal/analytics/smartengage?from=2000-01-01&to=2000-02-01`, API_KEY);
    expect(empty.body.total.counts).toEqual(expect.objectContaining({ eligible: 0, sent: 0 }));
    expect(empty.body.total.rates.clicked_of_sent).toBeNull();

    const doc = (await getJson(`${system.baseUrl}/openapi.json`)).body;
    for (const path of [
      '/internal/ai/smartengage/run-segment',
      '/internal/ai/smartengage/jobs/{job_id}',
      '/internal/ai/smartengage/schedules',
      '/internal/ai/smartengage/schedules/{schedule_id}',
      '/internal/analytics/smartengage',
      '/l/{token}',
      '/bookings',
      '/messages/{id}',
      '/messages/{id}/reply',
      '/messages/{id}/ack',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
  });
});
