import { randomUUID } from 'node:crypto';
import { createUnsubscribeToken } from '../../src/messaging/unsubscribe-token';
import { signDeepLinkToken } from '../../src/smartengage/deep-link-token';
import { getJson, postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { API_KEY, createCustomer, createService, runSegment, smartEngageEnv, waitForJob } from '../smartengage/fixtures';

/**
 * The API's answers at its edges, through the real app: bodies the parser refuses, text no store
 * accepts, pages of replies and assignments, an experiment with nobody in it, links whose row
 * says otherwise than their signature, and resources that do not exist. Every error is the
 * documented JSON body with the request's correlation id.
 */
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ env: smartEngageEnv() });
});
afterAll(async () => {
  await system?.stop();
});

const url = (path: string) => `${system.baseUrl}${path}`;

async function rawPost(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url(path), { method: 'POST', headers: { ...API_KEY, ...headers }, body });
  return { status: res.status, body: (await res.json()) as any };
}

describe('bodies the parser refuses', () => {
  it('answers a body over 100 kB with 413 payload_too_large and the correlation id', async () => {
    const big = JSON.stringify({ segment_criteria: {}, padding: 'x'.repeat(110_000) });
    const res = await rawPost('/internal/ai/smartengage/run-segment', big, { 'content-type': 'application/json', 'x-correlation-id': 'too-big-1' });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String), details: null }, correlation_id: 'too-big-1' });
  });

  it('answers JSON in a charset it does not read with 415 bad_request naming the charset', async () => {
    const res = await rawPost('/internal/ai/smartengage/run-segment', '{}', { 'content-type': 'application/json; charset=latin1', 'x-correlation-id': 'charset-1' });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error: { code: 'bad_request', message: expect.stringMatching(/charset/i), details: null }, correlation_id: 'charset-1' });
  });

  it('refuses a NUL byte in a query parameter with 422 naming query.<name>', async () => {
    const res = await getJson(url('/internal/replies?intent=%00'), { ...API_KEY, 'x-correlation-id': 'nul-query' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: { code: 'validation_failed', message: 'invalid request: query.intent', details: [{ path: 'query.intent', message: expect.stringMatching(/NUL/) }] },
      correlation_id: 'nul-query',
    });
  });

  it('refuses a body nested deeper than 32 levels with 422, naming only the first levels of the path', async () => {
    let nested: unknown = {};
    for (let i = 0; i < 40; i++) nested = { a: nested };
    const res = await postJson(url('/internal/ai/smartengage/run-segment'), { segment_criteria: nested }, API_KEY);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'segment_criteria.a.a', message: 'nested deeper than 32 levels' }]);
  });
});

describe('resources that do not exist', () => {
  it.each([
    ['a worker id that is not a uuid', 'get', '/internal/ai/coachnova/workers/not-a-uuid'],
    ['an unknown worker', 'get', `/internal/ai/coachnova/workers/${randomUUID()}`],
    ['a check-in for an unknown worker', 'post', `/internal/ai/coachnova/workers/${randomUUID()}/check-in`],
    ['the timeline of an unknown customer', 'get', `/internal/ai/smartengage/customers/${randomUUID()}/timeline`],
    ['the experiment of an unknown job', 'get', `/internal/analytics/smartengage/experiments/${randomUUID()}`],
    ['the assignments of an unknown job', 'get', `/internal/analytics/smartengage/experiments/${randomUUID()}/assignments`],
    ['completing a booking id that is not a uuid', 'post', '/bookings/not-a-uuid/complete'],
  ])('answers %s with 404 not_found and the correlation id', async (_what, method, path) => {
    const headers = { ...API_KEY, 'x-correlation-id': `missing-${method}` };
    const res = method === 'get' ? await getJson(url(path), headers) : await postJson(url(path), { score: 5 }, headers);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String), details: null }, correlation_id: `missing-${method}` });
  });
});

describe('the replies queue', () => {
  async function sentMessage(customerId: string) {
    const row = await system.db
      .insertInto('ai_messages')
      .values({
        user_id: customerId,
        role: 'CUSTOMER',
        agent_type: 'smartengage',
        channel: 'EMAIL',
        message_type: 'REMINDER',
        subject: null,
        message_text: 'It has been a while.',
        locale: 'en',
        safety_checks: JSON.stringify({ safe: true, checks: [] }),
        idempotency_key: `edges:${randomUUID()}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('filters by intent and pages by received_at with `before`, newest first; a message never sent and no booking are null', async () => {
    // a customer without bookings, so the message was about no booking
    const user = await system.db
      .insertInto('users')
      .values({ email: `q-${randomUUID()}@example.test`, full_name: 'Queue Customer', role: 'customer', locale: 'en' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await system.db.insertInto('customers').values({ id: user.id, typical_services: [] }).execute();
    const messageId = await sentMessage(user.id);
    const base = Date.parse('2031-05-01T10:00:00Z');
    const marker = randomUUID();
    for (const [i, intent] of (['complaint', 'question', 'complaint', 'complaint'] as const).entries()) {
      await system.db
        .insertInto('message_replies')
        .values({ message_id: messageId, user_id: user.id, channel: 'in_app', text: `${marker} ${i}`, dedupe_key: `edges:${marker}:${i}`, intent, received_at: new Date(base + i * 60_000) })
        .execute();
    }
    const first = await getJson(url('/internal/replies?intent=complaint&limit=2&before=2031-05-02T00:00:00Z'), API_KEY);
    expect(first.status).toBe(200);
    expect(first.body.replies.map((r: any) => r.text)).toEqual([`${marker} 3`, `${marker} 2`]);
    expect(first.body.replies[0]).toMatchObject({ intent: 'complaint', booking: null, message: { id: messageId, sent_at: null, subject: null } });
    const next = await getJson(url(`/internal/replies?intent=complaint&limit=2&before=${encodeURIComponent(first.body.replies[1].received_at)}`), API_KEY);
    expect(next.body.replies.map((r: any) => r.text)).toEqual([`${marker} 0`]);
  });
});

describe('an experiment nobody is in yet', () => {
  it('reports arms without a holdout: no booking rate, no uplift and why, no closing time; assignments are one empty last page', async () => {
    const serviceId = await createService(system.db, { name: 'Nobody books this' });
    const res = await runSegment(system, {
      // English only: the arms' prompt versions are looked up in that locale alone
      segment_criteria: { service_ids: [serviceId], locale: 'en' },
      experiment: { arms: [{ name: 'template', kind: 'template', weight: 1 }, { name: 'llm', kind: 'llm', weight: 1 }] },
    });
    expect(res.status).toBe(202);
    const jobId = res.body.job_id;
    await waitForJob(system, jobId);
    const report = await getJson(url(`/internal/analytics/smartengage/experiments/${jobId}`), API_KEY);
    expect(report.status).toBe(200);
    expect(report.body.window_closes_at).toBeNull();
    expect(report.body.arms).toEqual([
      expect.objectContaining({ name: 'template', customers: 0, booking_rate: null, uplift_vs_holdout: null, uplift_note: 'no holdout arm to compare with' }),
      expect.objectContaining({ name: 'llm', customers: 0, booking_rate: null, uplift_vs_holdout: null, uplift_note: 'no holdout arm to compare with' }),
    ]);
    const assignments = await getJson(url(`/internal/analytics/smartengage/experiments/${jobId}/assignments?limit=5`), API_KEY);
    expect(assignments.body).toEqual({ job_id: jobId, assignments: [], next_after: null });
  });

  it('with a holdout: the holdout is the baseline, and an arm too small says "not enough data"', async () => {
    const serviceId = await createService(system.db, { name: 'Two customers only' });
    await createCustomer(system.db, { serviceId });
    await createCustomer(system.db, { serviceId });
    const res = await runSegment(system, {
      segment_criteria: { service_ids: [serviceId] },
      experiment: { arms: [{ name: 'holdout', kind: 'holdout', weight: 1 }, { name: 'template', kind: 'template', weight: 1 }] },
    });
    const jobId = res.body.job_id;
    await waitForJob(system, jobId);
    const report = await getJson(url(`/internal/analytics/smartengage/experiments/${jobId}`), API_KEY);
    const [holdout, arm] = report.body.arms;
    expect(holdout).toMatchObject({ kind: 'holdout', uplift_vs_holdout: null, uplift_note: 'the holdout is the baseline' });
    expect(arm).toMatchObject({ kind: 'template', uplift_vs_holdout: null, uplift_note: expect.stringMatching(/^not enough data/) });
    expect(holdout.customers + arm.customers).toBe(2);
    expect(report.body.window_closes_at).toEqual(expect.any(String));
    // one customer per page: a full page names where the next starts, the last one does not
    const page1 = await getJson(url(`/internal/analytics/smartengage/experiments/${jobId}/assignments?limit=1`), API_KEY);
    expect(page1.body.next_after).toBe(page1.body.assignments[0].customer_id);
    const page2 = await getJson(url(`/internal/analytics/smartengage/experiments/${jobId}/assignments?limit=1&after=${page1.body.next_after}`), API_KEY);
    expect(page2.body.assignments).toHaveLength(1);
    expect(page2.body.assignments[0].customer_id > page1.body.next_after).toBe(true);
    const page3 = await getJson(url(`/internal/analytics/smartengage/experiments/${jobId}/assignments?limit=1&after=${page2.body.next_after}`), API_KEY);
    expect(page3.body).toEqual({ job_id: jobId, assignments: [], next_after: null });

    // the funnel of that one campaign: its two eligible customers, nothing of other campaigns
    const funnel = await getJson(url(`/internal/analytics/smartengage?campaign_id=${jobId}`), API_KEY);
    expect(funnel.status).toBe(200);
    expect(funnel.body.campaign_id).toBe(jobId);
    expect(funnel.body.total.counts.eligible).toBe(2);
    expect(funnel.body.by_campaign.map((c: any) => c.campaign_id)).toEqual([jobId]);
  });
});

describe('tracked links whose row disagrees with their signature', () => {
  async function token(tokenId: string, expiresAt: Date) {
    return signDeepLinkToken({ tokenId, customerId: randomUUID(), serviceId: randomUUID(), promoCode: null, expiresAt }, system.config);
  }

  it('shows the "not valid" page (400, not cached) for a genuine token whose link is not stored', async () => {
    const res = await fetch(url(`/l/${await token(randomUUID(), new Date(Date.now() + 3600_000))}`), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('This link is not valid');
  });

  it('shows the "expired" page (410) when the stored link expired before its token says', async () => {
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId });
    const tokenId = randomUUID();
    await system.db.insertInto('deep_links').values({ token_id: tokenId, customer_id: customer.id, service_id: serviceId, promo_code: null, expires_at: new Date(Date.now() - 1000) }).execute();
    const res = await fetch(url(`/l/${await token(tokenId, new Date(Date.now() + 3600_000))}`), { redirect: 'manual' });
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('This link has expired');
  });
});

describe('unsubscribing from a browser', () => {
  it('answers the confirmation POST with the HTML "done" page and turns marketing consent off', async () => {
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId });
    const path = `/unsubscribe/${await createUnsubscribeToken(system.config, customer.id)}`;
    const res = await fetch(url(path), { method: 'POST', headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const user = await system.db.selectFrom('users').select('consent').where('id', '=', customer.id).executeTakeFirstOrThrow();
    expect(user.consent.marketing).toBe(false);
  });
});

describe('an approval whose reminder run is no longer waiting', () => {
  async function waitingEntry(workflowId: string, decided = false) {
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId });
    const prompt = await system.db.selectFrom('prompt_templates').select(['id', 'version']).where('agent_type', '=', 'smartengage').where('message_type', '=', 'REMINDER').executeTakeFirstOrThrow();
    const messageId = randomUUID();
    await system.db
      .insertInto('message_approvals')
      .values({
        message_id: messageId,
        workflow_id: workflowId,
        customer_id: customer.id,
        campaign_id: null,
        prompt_id: prompt.id,
        prompt_version: prompt.version,
        reason: 'flagged',
        draft: JSON.stringify({ subject: 's', body: 'b', call_to_action: 'c' }),
        safety: JSON.stringify({ safe: true, checks: [] }),
        model: 'template',
        expires_at: new Date(Date.now() + 3600_000),
        ...(decided ? { decision: 'approve' as const, decided_by: 'ops@example.test', decided_at: new Date('2026-12-01T10:00:00Z') } : {}),
      })
      .execute();
    return messageId;
  }

  it('answers 409 not_waiting when the run has closed (or never ran), naming the message', async () => {
    const messageId = await waitingEntry(`reengage-gone-${randomUUID()}`);
    const res = await postJson(url(`/internal/approvals/${messageId}`), { decision: 'approve' }, { ...API_KEY, 'x-correlation-id': 'approval-gone' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'not_waiting', message: expect.stringContaining(messageId), details: null }, correlation_id: 'approval-gone' });
  });

  it('answers 409 with who decided and when, for an entry already decided, without asking the run', async () => {
    const messageId = await waitingEntry(`reengage-gone-${randomUUID()}`, true);
    const res = await postJson(url(`/internal/approvals/${messageId}`), { decision: 'reject' }, API_KEY);
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual({ decision: 'approve', decided_by: 'ops@example.test', decided_at: '2026-12-01T10:00:00.000Z' });
  });

  it('answers 404 for a message no approval waits on', async () => {
    expect((await postJson(url(`/internal/approvals/${randomUUID()}`), { decision: 'approve' }, API_KEY)).status).toBe(404);
  });
});

describe("explaining a customer's eligibility", () => {
  it('says a customer who never booked is not eligible and has no service to remind', async () => {
    const user = await system.db
      .insertInto('users')
      .values({ email: `e-${randomUUID()}@example.test`, full_name: 'New Customer', role: 'customer', locale: 'en', consent: JSON.stringify({ marketing: true }) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await system.db.insertInto('customers').values({ id: user.id, typical_services: [] }).execute();
    const res = await getJson(url(`/internal/ai/smartengage/customers/${user.id}/timeline?explain=true`), API_KEY);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customer_id: user.id, events: [], eligibility: { eligible: false, has_service_to_remind: false, failed: expect.arrayContaining(['no_service_to_remind']) } });
  });
});
