import type { Locale, MessageType } from '../db/types';
import type { PromptContext } from '../messaging/types';

/**
 * The placeholders each message type's context fills (what the workflows pass), and a demo
 * value for each: a new version is checked, and previewed without a customer, on these.
 * Keep in step with the contexts built in src/smartengage/reminder-context.ts and the
 * CoachNova session (coaching tip) and escalation (check-in).
 */
const DEMO: Record<'REMINDER' | 'COACHING' | 'BURNOUT_CHECK', Record<Locale, PromptContext>> = {
  REMINDER: {
    bn: { first_name: 'রহিম', service_name: 'এসি সার্ভিসিং', days_since_last_booking: 30 },
    en: { first_name: 'Rahim', service_name: 'AC Servicing', days_since_last_booking: 30 },
  },
  COACHING: {
    bn: { first_name: 'করিম', service_name: 'এসি সার্ভিসিং', rating: 2, minutes_late: 25, feedback: 'দেরি করে এসেছে' },
    en: { first_name: 'Karim', service_name: 'AC Servicing', rating: 2, minutes_late: 25, feedback: 'arrived late' },
  },
  BURNOUT_CHECK: {
    bn: { first_name: 'করিম', factors: 'এই সপ্তাহে ৬২ ঘণ্টা কাজ; ৯ দিন বিশ্রাম নেই' },
    en: { first_name: 'Karim', factors: '62 hours this week; no rest day for 9 days' },
  },
};

export function demoContext(messageType: MessageType, locale: Locale): PromptContext {
  const byType = DEMO[messageType as keyof typeof DEMO];
  return byType ? { ...byType[locale] } : {};
}

/** The placeholder names a version of this message type may use. */
export function knownPlaceholders(messageType: MessageType): string[] {
  return Object.keys(demoContext(messageType, 'en'));
}
