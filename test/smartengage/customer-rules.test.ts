import { randomUUID } from 'node:crypto';
import { openApproval } from '../../src/smartengage/approval-queue';
import { claimContact } from '../../src/smartengage/contact-claim';
import { loadReminderContext } from '../../src/smartengage/reminder-context';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createCustomer, createService } from './fixtures';

/**
 * The rules a reminder is held to, in SQL on a fresh schema: why a contact claim was refused
 * (the skipped-by-reason counts on a campaign), and the reminder's context when a customer or
 * service has changed since the segment was read.
 */
let database: TestDatabase;
let serviceId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  serviceId = await createService(database.db, { name: 'AC Repair', name_bn: 'এসি মেরামত' });
});
afterAll(async () => {
  await database?.drop();
});

describe('a refused contact claim names the first rule that failed', () => {
  it('not_found for an unknown id or someone who is not a customer', async () => {
    expect(await claimContact(database.db, randomUUID(), 'wf-1', 24)).toEqual({ claimed: false, reason: 'not_found' });
    const worker = await database.db
      .insertInto('users')
      .values({ email: `w-${randomUUID()}@example.test`, full_name: 'Karim Worker', role: 'worker' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await claimContact(database.db, worker.id, 'wf-1', 24)).toEqual({ claimed: false, reason: 'not_found' });
  });

  it('inactive, then no_consent, then open_booking, in that order', async () => {
    const customer = await createCustomer(database.db, { serviceId, consent: { marketing: false } });
    await database.db.insertInto('bookings').values({ customer_id: customer.id, service_id: serviceId, status: 'PENDING', scheduled_at: new Date(Date.now() + 86_400_000), total_price: 1 }).execute();
    await database.db.updateTable('users').set({ is_active: false }).where('id', '=', customer.id).execute();
    expect(await claimContact(database.db, customer.id, 'wf-2', 24)).toEqual({ claimed: false, reason: 'inactive' });
    await database.db.updateTable('users').set({ is_active: true }).where('id', '=', customer.id).execute();
    expect(await claimContact(database.db, customer.id, 'wf-2', 24)).toEqual({ claimed: false, reason: 'no_consent' });
    await database.db.updateTable('users').set({ consent: JSON.stringify({ marketing: true }) }).where('id', '=', customer.id).execute();
    expect(await claimContact(database.db, customer.id, 'wf-2', 24)).toEqual({ claimed: false, reason: 'open_booking' });
  });

  it('frequency_cap while another run holds the slot; the holder may claim again', async () => {
    const customer = await createCustomer(database.db, { serviceId });
    expect(await claimContact(database.db, customer.id, 'wf-first', 24)).toEqual({ claimed: true });
    expect(await claimContact(database.db, customer.id, 'wf-second', 24)).toEqual({ claimed: false, reason: 'frequency_cap' });
    expect(await claimContact(database.db, customer.id, 'wf-first', 24)).toEqual({ claimed: true });
  });
});

describe("a reminder's context", () => {
  it('is null when the customer or the service no longer exists', async () => {
    const customer = await createCustomer(database.db, { serviceId });
    expect(await loadReminderContext(database.db, randomUUID(), serviceId)).toBeNull();
    expect(await loadReminderContext(database.db, customer.id, randomUUID())).toBeNull();
  });

  it("names the service in the customer's language and counts whole days since the last booking", async () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const bn = await createCustomer(database.db, { serviceId, name: '  নুসরাত   জাহান ' });
    await database.db.updateTable('customers').set({ last_booking_at: new Date('2026-11-01T18:00:00Z') }).where('id', '=', bn.id).execute();
    expect(await loadReminderContext(database.db, bn.id, serviceId, now)).toEqual({
      locale: 'bn',
      context: { first_name: 'নুসরাত', service_name: 'এসি মেরামত', days_since_last_booking: 31 },
    });
    const en = await createCustomer(database.db, { serviceId, locale: 'en', name: 'Karim' });
    expect((await loadReminderContext(database.db, en.id, serviceId, now))!.context.service_name).toBe('AC Repair');
  });

  it('says 0 days, never a negative or missing count, without a last booking or with one stamped in the future', async () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const never = await createCustomer(database.db, { serviceId, completedBookings: 0 });
    await database.db.updateTable('customers').set({ last_booking_at: null }).where('id', '=', never.id).execute();
    expect((await loadReminderContext(database.db, never.id, serviceId, now))!.context.days_since_last_booking).toBe(0);
    const skewed = await createCustomer(database.db, { serviceId });
    await database.db.updateTable('customers').set({ last_booking_at: new Date('2026-12-05T00:00:00Z') }).where('id', '=', skewed.id).execute();
    expect((await loadReminderContext(database.db, skewed.id, serviceId, now))!.context.days_since_last_booking).toBe(0);
  });
});

describe('the approval queue', () => {
  const settings = { timeoutSeconds: 3600, moderationScore: 0.5, scriptMargin: 0.05 };
  async function input(safety: Record<string, unknown>) {
    const customer = await createCustomer(database.db, { serviceId, locale: 'en' });
    const prompt = await database.db
      .selectFrom('prompt_templates')
      .select(['id', 'version'])
      .where('agent_type', '=', 'smartengage')
      .where('message_type', '=', 'REMINDER')
      .where('locale', '=', 'en')
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    return {
      messageId: randomUUID(),
      workflowId: `reengage-${customer.id}-2026-12-03`,
      customerId: customer.id,
      campaignId: null,
      templateId: prompt.id,
      promptVersion: prompt.version,
      locale: 'en' as const,
      model: 'test-model',
      draft: { subject: 's', body: 'b', call_to_action: 'c' },
      safety: safety as never,
      settings,
    };
  }

  it('opens one entry for a flagged draft; a retried activity finds it and opens no second one', async () => {
    const request = await input({ safe: true, checks: [{ name: 'moderation', passed: true, score: 0.7 }] });
    const first = await openApproval(database.db, request);
    expect(first).toMatchObject({ wait: true, reason: 'flagged', opened: true, fallbackTemplateId: request.templateId });
    expect(await openApproval(database.db, request)).toEqual({ ...first, opened: false });
    const rows = await database.db.selectFrom('message_approvals').select(['reason', 'safety']).where('message_id', '=', request.messageId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].safety).toMatchObject({ flags: [expect.objectContaining({ check: 'moderation', score: 0.7, threshold: 0.5 })] });
  });

  it('lets a draft through that has no checks to flag and no canary version to review', async () => {
    const request = await input({ safe: true });
    expect(await openApproval(database.db, request)).toEqual({ wait: false });
    expect(await database.db.selectFrom('message_approvals').select('message_id').where('message_id', '=', request.messageId).execute()).toHaveLength(0);
  });
});
