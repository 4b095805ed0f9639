import { ApplicationFailure } from '@temporalio/common';
import { contactsSkipped } from '../lib/metrics';
import { claimContact, holdContact } from '../smartengage/contact-claim';
import { attachDeepLink, createDeepLink, type NewDeepLink } from '../smartengage/deep-links';
import { loadReminderContext } from '../smartengage/reminder-context';
import { scheduledFacts } from '../smartengage/decision-facts';
import { recordDecision } from '../smartengage/decisions';
import { favouriteBookingHour } from '../smartengage/favourite-booking-hour';
import { msUntilSendWindow, personalSendPlan, usableTimeZone } from '../core/local-time';
import type { ClaimResult, CreatedDeepLink, ReminderContext } from '../smartengage/types';
import type { ActivityDeps } from './deps';

export interface SendPlanRequest {
  customerId: string;
  windowStart: string;
  windowEnd: string;
  sendTime?: 'window' | 'personal';
  /** For the `scheduled` decision (absent in runs from before decisions were stored). */
  workflowId?: string;
  campaignId?: string | null;
  /**
   * A reminder that holds its contact claim and has waited (for an approval): the claim is held
   * until the planned send plus the frequency cap, so it cannot lapse before the message is
   * recorded (absent in runs from before the hold).
   */
  holdClaim?: { workflowId: string; capHours: number };
}

/** The per-customer steps of a re-engagement run that touch the database or the clock. */
export function createReengagementActivities({ db, config }: ActivityDeps) {
  return {
    /**
     * Milliseconds until the reminder goes out, in the customer's own timezone: when the window
     * opens (0 inside it), or with `sendTime: "personal"` at their favourite booking hour inside
     * it. The choice and its reasons are stored as the `scheduled` decision.
     */
    async planSendWindow(input: SendPlanRequest): Promise<{ waitMs: number }> {
      const user = await db.selectFrom('users').select('timezone').where('id', '=', input.customerId).executeTakeFirst();
      const timezone = usableTimeZone(user?.timezone);
      const now = new Date();
      const sendTime = input.sendTime ?? 'window';
      const favourite = sendTime === 'personal' ? await favouriteBookingHour(db, input.customerId, timezone) : undefined;
      const plan = favourite
        ? personalSendPlan(now, timezone, input.windowStart, input.windowEnd, favourite.hour)
        : { waitMs: msUntilSendWindow(now, timezone, input.windowStart, input.windowEnd), target: input.windowStart, reason: 'window' as const };
      if (input.workflowId) {
        const facts = scheduledFacts({ timezone, windowStart: input.windowStart, windowEnd: input.windowEnd, sendTime, plan, favourite, now });
        await recordDecision(db, { customerId: input.customerId, campaignId: input.campaignId ?? null, workflowId: input.workflowId, kind: 'scheduled', reason: plan.reason, facts, idempotencyKey: `${input.workflowId}:scheduled` });
      }
      if (input.holdClaim) await holdContact(db, input.customerId, input.holdClaim.workflowId, plan.waitMs / 1000 + input.holdClaim.capHours * 3600);
      return { waitMs: plan.waitMs };
    },

    /** Consent, activity and the frequency cap re-checked and the contact slot taken, atomically. */
    async claimContactSlot(input: { customerId: string; workflowId: string; capHours: number; campaignId?: string | null }): Promise<ClaimResult> {
      const result = await claimContact(db, input.customerId, input.workflowId, input.capHours);
      if (!result.claimed) {
        contactsSkipped.inc({ agent: 'smartengage', reason: result.reason });
        // the reason the claim itself gave, not one worked out again afterwards
        const facts = { checked_at: new Date().toISOString(), frequency_cap_hours: input.capHours, checked_by: 'contact claim at send time (consent, activity, recent messages, open bookings)' };
        await recordDecision(db, { customerId: input.customerId, campaignId: input.campaignId ?? null, workflowId: input.workflowId, kind: 'skipped', reason: result.reason, facts, idempotencyKey: `${input.workflowId}:skipped` });
      }
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
