import { signAccessToken } from '../../src/auth/jwt';
import { startOpenAiServer, type ChatRequestRecord, type TestOpenAiServer } from '../helpers/openai-server';
import { getJson, postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import {
  API_KEY,
  coachnovaMessages,
  createBooking,
  createServiceAndCustomer,
  createWorker,
  getWorkerState,
  postJobCompleted,
  quietHoursAwayFromNow,
  sleep,
  type Fixture,
} from './fixtures';

/** The model answers a coaching tip in the language the prompt asks for. */
function coachingDraft(request: ChatRequestRecord) {
  const english = request.messages.some((m) => /Language: English/.test(m.content));
  return english
    ? { draft: { subject: 'A tip for your next visit', body: 'Thank you for your work today. Before leaving, walk the customer through what you fixed and ask if anything else needs care.', call_to_action: 'Got it' } }
    : { draft: { subject: 'পরের কাজের জন্য একটি পরামর্শ', body: 'আজকের কাজের জন্য ধন্যবাদ। পরের বার একটু আগে রওনা দিন এবং কাজ শেষে গ্রাহককে সব বুঝিয়ে দিন।', call_to_action: 'বুঝেছি' } };
}

let openai: TestOpenAiServer;
let system: TestSystem;
let fixture: Fixture;

beforeAll(async () => {
  openai = await startOpenAiServer();
  openai.setDefault(coachingDraft);
  system = await startTestSystem({
    env: {
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: openai.baseUrl,
      ...quietHoursAwayFromNow(),
      CN_ACK_REMINDER_SECONDS: '4',
      CN_ACK_TIMEOUT_SECONDS: '8',
    },
  });
  fixture = await createServiceAndCustomer(system.db);
});
afterAll(async () => {
  await system?.stop();
  await openai?.close();
});

describe('CoachNova real-time coaching', () => {
  it('answers a low rating with one tip in the worker\'s language within seconds, safety-checked, in the app and by email', async () => {
    const worker = await createWorker(system.db, { locale: 'bn' });
    const bookingId = await createBooking(system.db, fixture, worker.id);
    const started = Date.now();
    const res = await postJobCompleted(system, worker.id, { booking_id: bookingId, rating: 2, feedback: 'টেকনিশিয়ান দেরিতে এসেছে', minutes_late: 5 });
    expect(res.status).toBe(202);
    expect(res.body.workflow_id).toBe(`coaching-${worker.id}`);

    const mails = await system.smtp.waitForMessages(1, 15_000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(10_000);
    const mail = mails.find((m) => (m.to as any).text.includes(worker.email))!;
    expect(mail.subject).toBe('পরের কাজের জন্য একটি পরামর্শ');

    const rows = await eventually(async () => {
      const r = await coachnovaMessages(system.db, worker.id);
      return r.length === 2 && r.every((m) => m.delivery_status !== 'PENDING') && r;
    });
    expect(rows.map((r) => [r.channel, r.delivery_status]).sort()).toEqual([['EMAIL', 'SENT'], ['IN_APP', 'DELIVERED']]);
    for (const row of rows) {
      expect(row).toMatchObject({ agent_type: 'coachnova', message_type: 'COACHING', role: 'WORKER', locale: 'bn', worker_id: worker.id, workflow_id: `coaching-${worker.id}`, model: 'gpt-4o-mini' });
      expect((row.safety_checks as any).safe).toBe(true);
      expect((row.safety_checks as any).checks.length).toBeGreaterThan(0);
      expect(row.message_text).toMatch(/[\u0980-\u09FF]/);
    }
    // grounded in the job: the prompt carried the rating, the feedback and the service
    const prompt = openai.chatRequests.at(-1)!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('দেরিতে এসেছে');
    expect(prompt).toContain('এসি মেরামত');
    expect(prompt).toMatch(/Rating: 2/);
  });

  it('falls back to the approved template when the model is down, still safety-checked', async () => {
    const worker = await createWorker(system.db, { locale: 'bn' });
    openai.enqueue({ status: 500 }, { status: 500 }, { status: 500 });
    await postJobCompleted(system, worker.id, { rating: 1, feedback: 'কাজ অসম্পূর্ণ' });
    const rows = await eventually(async () => {
      const r = await coachnovaMessages(system.db, worker.id);
      return r.length === 2 && r;
    }, 20_000);
    for (const row of rows) {
      expect(row.model).toBe('template');
      expect(row.subject).toBe('আজকের কাজ নিয়ে একটি পরামর্শ');
      expect(row.message_text).toContain('Rahim');
      expect((row.safety_checks as any).safe).toBe(true);
      expect((row.safety_checks as any).fallback_reason).toBeDefined();
    }
  });

  it('sends nothing for a good job', async () => {
    const worker = await createWorker(system.db, { locale: 'en' });
    const res = await postJobCompleted(system, worker.id, { rating: 5, feedback: 'Great work, very polite and on time' });
    expect(res.status).toBe(202);
    const state = await eventually(async () => {
      const s = await getWorkerState(system, worker.id);
      return s.body.source === 'session' && s.body.metrics?.events_processed === 1 && s.body;
    });
    expect(state.pending_messages).toEqual([]);
    await sleep(1500);
    expect(await coachnovaMessages(system.db, worker.id)).toEqual([]);
  });

  it('coaches an English-speaking worker in English on a complaint or a late arrival, once per booking', async () => {
    const worker = await createWorker(system.db, { locale: 'en' });
    const bookingId = await createBooking(system.db, fixture, worker.id);
    const job = { booking_id: bookingId, rating: 4, feedback: 'He left the kitchen dirty', minutes_late: 40 };
    await postJobCompleted(system, worker.id, job);
    await postJobCompleted(system, worker.id, job); // a repeated event coaches nothing more
    const rows = await eventually(async () => {
      const r = await coachnovaMessages(system.db, worker.id);
      return r.length === 2 && r;
    });
    expect(rows.every((r) => r.locale === 'en' && r.subject === 'A tip for your next visit')).toBe(true);
    const state = await eventually(async () => {
      const res = await getWorkerState(system, worker.id);
      return res.body.pending_messages[0]?.stage === 'AWAITING_ACK' && res;
    });
    expect(state.body.pending_messages).toEqual([
      expect.objectContaining({ type: 'COACHING', stage: 'AWAITING_ACK', reasons: ['complaint', 'late_arrival'], message_ids: expect.arrayContaining(rows.map((r) => r.id)) }),
    ]);
    await sleep(1000);
    expect(await coachnovaMessages(system.db, worker.id)).toHaveLength(2);
  });

  it('stops the follow-up when the worker acknowledges', async () => {
    const worker = await createWorker(system.db, { locale: 'en' });
    await postJobCompleted(system, worker.id, { rating: 1 });
    const [inApp] = await eventually(async () => {
      const r = await coachnovaMessages(system.db, worker.id);
      return r.length === 2 && r.filter((m) => m.channel === 'IN_APP');
    });
    const ack = await postJson(`${system.baseUrl}/messages/${inApp.id}/ack`, {}, API_KEY);
    expect(ack.status).toBe(202);
    await eventually(async () => (await getWorkerState(system, worker.id)).body.pending_messages.length === 0);
    const row = await system.db.selectFrom('ai_messages').selectAll().where('id', '=', inApp.id).executeTakeFirstOrThrow();
    expect(row.user_response).toBe('ACKNOWLEDGED');
    await sleep(5000); // past the reminder time: none is sent
    expect(await coachnovaMessages(system.db, worker.id)).toHaveLength(2);
  });

  it('reminds once, then records IGNORED', async () => {
    const worker = await createWorker(system.db, { locale: 'bn' });
    await postJobCompleted(system, worker.id, { rating: 3 });
    const reminder = await eventually(
      async () => (await coachnovaMessages(system.db, worker.id)).find((m) => m.subject?.startsWith('অনুস্মারক: ') && m.delivery_status !== 'PENDING'),
      15_000,
    );
    expect(reminder).toMatchObject({ channel: 'EMAIL', delivery_status: 'SENT', message_type: 'COACHING' });
    const rows = await eventually(async () => {
      const r = await coachnovaMessages(system.db, worker.id);
      return r.every((m) => m.user_response === 'IGNORED') && r;
    }, 15_000);
    expect(rows).toHaveLength(3);
    expect((await getWorkerState(system, worker.id)).body.pending_messages).toEqual([]);
  });
});

describe('CoachNova session start', () => {
  it("starts from the worker's recent completed bookings", async () => {
    const worker = await createWorker(system.db, { locale: 'en' });
    const HOUR = 3_600_000;
    for (const daysAgo of [1, 2, 3, 20]) {
      const finished = new Date(Date.now() - daysAgo * 24 * HOUR);
      await system.db
        .insertInto('bookings')
        .values({
          customer_id: fixture.customerId,
          service_id: fixture.serviceId,
          worker_id: worker.id,
          status: 'COMPLETED',
          scheduled_at: new Date(finished.getTime() - 3 * HOUR),
          started_at: new Date(finished.getTime() - 3 * HOUR),
          finished_at: finished,
          rating: 4,
        })
        .execute();
    }
    const fromDatabase = (await getWorkerState(system, worker.id)).body;
    expect(fromDatabase).toMatchObject({ source: 'database', metrics: { jobs_in_window: 3, hours_last_7d: 9 } });

    await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}/check-in`, { score: 7 }, API_KEY);
    const state = await eventually(async () => {
      const res = await getWorkerState(system, worker.id);
      return res.body.source === 'session' && res.body.metrics?.events_processed === 1 && res.body;
    });
    expect(state.metrics).toMatchObject({ jobs_in_window: 3, hours_last_7d: 9, latest_check_in_score: 7 });
    expect(state.risk.score).toBe(fromDatabase.risk.score); // a check-in of 7 earns no points
  });
});

describe('CoachNova events API', () => {
  it.each([
    [{ type: 'job_finished', worker_id: '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b11' }, 'type'],
    [{ type: 'job_completed', worker_id: '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b11', booking_id: '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b12', rating: 7 }, 'rating'],
    [{ type: 'check_in', worker_id: '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b11' }, 'score'],
    [{ type: 'job_cancelled', worker_id: 'not-a-uuid', booking_id: '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b12' }, 'worker_id'],
    [{ type: 'job_completed', worker_id: '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b11', booking_id: '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b12', started_at: '2026-03-10T12:00:00Z', finished_at: '2026-03-10T10:00:00Z' }, 'started_at'],
  ])('rejects %j with a 422 naming %s', async (body, field) => {
    const res = await postJson(`${system.baseUrl}/internal/ai/coachnova/events`, body, API_KEY);
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body.error.details)).toContain(field);
  });

  it('answers 404 for an unknown worker and 401 without credentials', async () => {
    const unknown = '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b99';
    expect((await postJobCompleted(system, unknown, { rating: 2 })).status).toBe(404);
    expect((await getWorkerState(system, unknown)).status).toBe(404);
    expect((await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${unknown}/check-in`, { score: 5 }, API_KEY)).status).toBe(404);
    expect((await getJson(`${system.baseUrl}/internal/ai/coachnova/workers/${unknown}`)).status).toBe(401);
  });

  it('computes the state from bookings when no session runs', async () => {
    const worker = await createWorker(system.db);
    const res = await getWorkerState(system, worker.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ worker_id: worker.id, source: 'database', risk: { level: 'LOW', score: 0 }, pending_messages: [] });
    expect(res.body.risk.factors).toHaveLength(8);
  });

  it('registers its routes in the OpenAPI document', async () => {
    const doc = (await getJson(`${system.baseUrl}/openapi.json`)).body;
    for (const path of ['/internal/ai/coachnova/events', '/internal/ai/coachnova/workers/{id}', '/internal/ai/coachnova/workers/{id}/check-in', '/bookings/{id}/complete']) {
      expect(doc.paths[path]).toBeDefined();
    }
  });
});

describe('POST /bookings/:id/complete', () => {
  it('completes once, updates the customer, and feeds the worker session', async () => {
    const worker = await createWorker(system.db, { locale: 'en' });
    const bookingId = await createBooking(system.db, fixture, worker.id);
    const token = await signAccessToken({ sub: fixture.customerId, role: 'customer', email: 'c@example.com' }, system.config, 600);
    const res = await postJson(`${system.baseUrl}/bookings/${bookingId}/complete`, { rating: 2, feedback: 'Arrived late', minutes_late: 30 }, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ booking: { id: bookingId, status: 'COMPLETED', rating: 2 }, coaching_session: `coaching-${worker.id}` });

    const booking = await system.db.selectFrom('bookings').selectAll().where('id', '=', bookingId).executeTakeFirstOrThrow();
    expect(booking.status).toBe('COMPLETED');
    const customer = await system.db.selectFrom('customers').selectAll().where('id', '=', fixture.customerId).executeTakeFirstOrThrow();
    expect(customer.last_booking_at?.getTime()).toBe(booking.finished_at?.getTime());
    await eventually(async () => (await coachnovaMessages(system.db, worker.id)).length === 2);

    const again = await postJson(`${system.baseUrl}/bookings/${bookingId}/complete`, { rating: 5 }, API_KEY);
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual({ status: 'COMPLETED' });
  });

  it('refuses another customer, a cancelled booking and a bad body', async () => {
    const worker = await createWorker(system.db);
    const bookingId = await createBooking(system.db, fixture, worker.id);
    const stranger = await signAccessToken({ sub: '3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b55', role: 'customer', email: 's@example.com' }, system.config, 600);
    expect((await postJson(`${system.baseUrl}/bookings/${bookingId}/complete`, {}, { authorization: `Bearer ${stranger}` })).status).toBe(403);
    expect((await postJson(`${system.baseUrl}/bookings/${bookingId}/complete`, {})).status).toBe(401);
    expect((await postJson(`${system.baseUrl}/bookings/${bookingId}/complete`, { rating: 0 }, API_KEY)).status).toBe(422);
    await system.db.updateTable('bookings').set({ status: 'CANCELLED' }).where('id', '=', bookingId).execute();
    expect((await postJson(`${system.baseUrl}/bookings/${bookingId}/complete`, {}, API_KEY)).status).toBe(409);
    expect((await postJson(`${system.baseUrl}/bookings/3f1c7a52-4a51-4f0e-9d0e-0a4c7c1f0b56/complete`, {}, API_KEY)).status).toBe(404);
  });
});
