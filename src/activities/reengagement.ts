import { ApplicationFailure } from '@temporalio/common';
import { contactsSkipped } from '../lib/metrics';
import { claimContact } from '../smartengage/contact-claim';
import { attachDeepLink, createDeepLink, type NewDeepLink } from '../smartengage/deep-links';
import { loadReminderContext } from '../smartengage/reminder-context';
import { msUntilSendWindow, usableTimeZone } from '../core/local-time';
import type { ClaimResult, CreatedDeepLink, ReminderContext } from '../smartengage/types';
import type { ActivityDeps } from './deps';

/** The per-customer steps of a re-engagement run that touch the database or the clock. */
export function createReengagementActivities({ db, config }: ActivityDeps) {
  return {
    /** Milliseconds until the customer's send window opens (0 inside it), in their own timezone. */
    async planSendWindow(input: { customerId: string; windowStart: string; windowEnd: string }): Promise<{ waitMs: number }> {
      const user = await db.selectFrom('users').select('timezone').where('id', '=', input.customerId).executeTakeFirst();
      return { waitMs: msUntilSendWindow(new Date(), usableTimeZone(user?.timezone), input.windowStart, input.windowEnd) };
    },

    /** Consent, activity and the frequency cap re-checked and the contact slot taken, atomically. */
    async claimContactSlot(input: { customerId: string; workflowId: string; capHours: number }): Promise<ClaimResult> {
      const result = await claimContact(db, input.customerId, input.workflowId, input.capHours);
      if (!result.claimed) contactsSkipped.inc({ agent: 'smartengage', reason: result.reason });
      return result;
    },

    async loadReminderContext(input: { customerId: string; serviceId: string }): Promise<ReminderContext> {
      const context = await loadReminderContext(db, input.customerId, input.serviceId);
      if (!context) {
        throw ApplicationFailure.create({ type: 'ReminderContextMissing', message: `customer ${input.customerId} or service ${input.serviceId} not found`, nonRetryable: true });
      }
      return context;
    },

    async createReminderDeepLink(input: NewDeepLink): Promise<CreatedDeepLink> {
      return createDeepLink(db, config, input);
    },

    async attachReminderDeepLink(input: { tokenId: string; messageId: string }): Promise<void> {
      await attachDeepLink(db, input.tokenId, input.messageId);
    },
  };
}
