import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database';
import type { Consent, Locale } from '../../src/db/types';
import type { ComposedMessage, MessageDraft, RecordMessageInput } from '../../src/messaging/types';

/** A user of this test's own, with a unique address. */
export async function createUser(db: Db, options: { locale?: Locale; consent?: Consent; fullName?: string } = {}) {
  const id = randomUUID();
  const email = `user-${id.slice(0, 8)}@example.test`;
  await db
    .insertInto('users')
    .values({ id, email, full_name: options.fullName ?? 'Rahim Uddin', locale: options.locale ?? 'bn', consent: JSON.stringify(options.consent ?? { marketing: true }) })
    .execute();
  return { id, email };
}

export async function activeTemplateId(db: Db, locale: Locale): Promise<string> {
  const row = await db
    .selectFrom('prompt_templates')
    .select('id')
    .where('agent_type', '=', 'smartengage')
    .where('message_type', '=', 'REMINDER')
    .where('locale', '=', locale)
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  return row.id;
}

export const bengaliDraft: MessageDraft = {
  subject: 'এসি সার্ভিসিং — আবার বুক করার সময় হয়েছে',
  body: 'প্রিয় রহিম, আপনার শেষ এসি সার্ভিসিং সেবার পর ৩০ দিন কেটে গেছে। সুবিধামতো সময়ে আবার বুক করুন। ধন্যবাদ!',
  call_to_action: 'এখনই বুক করুন',
};

export function composed(templateId: string, draft: MessageDraft = bengaliDraft, safe = true): ComposedMessage {
  return {
    draft,
    model: 'gpt-4o-mini',
    promptVersion: 1,
    templateId,
    safetyChecks: { safe, checks: [{ name: 'profanity', passed: true }], attempts: 1, rejected: [] },
  };
}

export function recordInput(userId: string, templateId: string, overrides: Partial<RecordMessageInput> = {}): RecordMessageInput {
  return {
    idempotencyKey: `test:${randomUUID()}`,
    userId,
    role: 'CUSTOMER',
    agent: 'smartengage',
    channel: 'EMAIL',
    messageType: 'REMINDER',
    locale: 'bn',
    composed: composed(templateId),
    deepLink: 'https://app.sheba.xyz/book?service=ac&t=abc',
    correlationId: `corr-${randomUUID()}`,
    workflowId: `reengagement-test-${randomUUID()}`,
    ...overrides,
  };
}

export const reminderRequest = (locale: Locale = 'bn') => ({
  agent: 'smartengage' as const,
  messageType: 'REMINDER' as const,
  locale,
  context: { first_name: locale === 'bn' ? 'রহিম' : 'Rahim', service_name: locale === 'bn' ? 'এসি সার্ভিসিং' : 'AC Servicing', days_since_last_booking: 30 },
});
