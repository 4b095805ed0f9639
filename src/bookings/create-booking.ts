import type { SigningSecrets } from '../security/keys';
import type { Db } from '../db/database';
import { HttpError, notFound } from '../lib/errors';
import { recordBookingConversions } from '../smartengage/decisions';
import { attributedMessage, type AttributedMessage } from './attribution';

export interface NewBooking {
  customerId: string;
  serviceId: string;
  scheduledAt: Date;
  /** The reminder's deep-link token the customer came from, if any. */
  deepLinkToken?: string;
}

/**
 * A PENDING booking of an active service at its base price; with a deep-link token, attributed
 * to the reminder it came from (`source_message_id`). Returns that message too, so the caller
 * can hand the BOOKED response to the workflow that owns it.
 */
export async function createBooking(db: Db, deepLinkSecrets: SigningSecrets, booking: NewBooking) {
  const customer = await db.selectFrom('customers').select('id').where('id', '=', booking.customerId).executeTakeFirst();
  if (!customer) throw notFound('customer');
  const service = await db.selectFrom('services').select(['id', 'is_active', 'base_price']).where('id', '=', booking.serviceId).executeTakeFirst();
  if (!service) throw notFound('service');
  if (!service.is_active) throw new HttpError(422, 'service_inactive', 'this service is no longer offered', [{ path: 'service_id', message: 'inactive service' }]);

  const message: AttributedMessage | null = booking.deepLinkToken ? await attributedMessage(db, deepLinkSecrets, booking.deepLinkToken, booking.customerId) : null;
  const row = await db
    .insertInto('bookings')
    .values({
      customer_id: booking.customerId,
      service_id: service.id,
      status: 'PENDING',
      scheduled_at: booking.scheduledAt,
      total_price: service.base_price,
      source_message_id: message?.id ?? null,
    })
    .returning(['id', 'customer_id', 'service_id', 'status', 'scheduled_at', 'total_price', 'source_message_id', 'created_at'])
    .executeTakeFirstOrThrow();
  // without a link, an experiment's conversion still goes on the customer's timeline (with one, the BOOKED response does)
  if (!message) await recordBookingConversions(db, booking.customerId, row.id);
  return { booking: row, message };
}
