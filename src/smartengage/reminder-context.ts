import type { Db } from '../db/database';
import type { ReminderContext } from './types';

/** First word of the full name: how a reminder greets (never the email or phone). */
export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] || fullName.trim();
}

/** The prompt placeholders of a reminder, in the customer's language. Null when customer or service is gone. */
export async function loadReminderContext(db: Db, customerId: string, serviceId: string, now = new Date()): Promise<ReminderContext | null> {
  const row = await db
    .selectFrom('customers as c')
    .innerJoin('users as u', 'u.id', 'c.id')
    .innerJoin('services as s', (join) => join.on('s.id', '=', serviceId))
    .select(['u.full_name', 'u.locale', 'c.last_booking_at', 's.name', 's.name_bn'])
    .where('c.id', '=', customerId)
    .executeTakeFirst();
  if (!row) return null;
  const days = row.last_booking_at ? Math.max(0, Math.floor((now.getTime() - row.last_booking_at.getTime()) / 86_400_000)) : 0;
  return {
    locale: row.locale,
    context: {
      first_name: firstName(row.full_name),
      service_name: row.locale === 'bn' ? row.name_bn : row.name,
      days_since_last_booking: days,
    },
  };
}
