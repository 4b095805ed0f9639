import { sql } from 'kysely';
import type { z } from 'zod';
import type { BookingCompletionBodySchema } from '../coachnova/events';
import type { Db } from '../db/database';
import { conflict, forbidden, notFound } from '../lib/errors';

type CompletionBody = z.infer<typeof BookingCompletionBodySchema>;

/**
 * COMPLETED only from an open status, in one conditional UPDATE (two racing calls cannot both
 * win), together with the customer's last_booking_at, in one transaction.
 */
async function markCompleted(db: Db, bookingId: string, body: CompletionBody, finishedAt: Date) {
  return db.transaction().execute(async (trx) => {
    const booking = await trx
      .updateTable('bookings')
      .set({
        status: 'COMPLETED',
        finished_at: finishedAt,
        rating: body.rating ?? null,
        feedback: body.feedback || null,
        minutes_late: body.minutes_late ?? null,
        updated_at: new Date(),
      })
      .where('id', '=', bookingId)
      .where('status', 'not in', ['COMPLETED', 'CANCELLED'])
      .returning(['id', 'customer_id', 'worker_id', 'status', 'scheduled_at', 'started_at', 'finished_at', 'rating', 'feedback', 'minutes_late'])
      .executeTakeFirst();
    if (!booking) return null;
    await trx
      .updateTable('customers')
      .set({ last_booking_at: sql<Date>`GREATEST(COALESCE(last_booking_at, ${finishedAt}), ${finishedAt})` })
      .where('id', '=', booking.customer_id)
      .execute();
    return booking;
  });
}

/**
 * Completes a booking for its customer or an operator: 404 for an unknown booking, 403 for
 * anyone else, 409 when it is already closed (or a racing call closed it first).
 */
export async function completeBooking(db: Db, actor: { role: string; sub: string }, bookingId: string, body: CompletionBody) {
  const current = await db.selectFrom('bookings').select(['customer_id', 'status']).where('id', '=', bookingId).executeTakeFirst();
  if (!current) throw notFound('booking');
  if (actor.role !== 'operator' && actor.sub !== current.customer_id) throw forbidden("only an operator or the booking's customer can complete it");

  const finishedAt = body.finished_at ? new Date(body.finished_at) : new Date();
  const booking = await markCompleted(db, bookingId, body, finishedAt);
  if (!booking) {
    const now = await db.selectFrom('bookings').select('status').where('id', '=', bookingId).executeTakeFirst();
    throw conflict(`booking is ${now?.status ?? current.status} and cannot be completed`, { status: now?.status ?? current.status });
  }
  return { booking, finishedAt };
}
