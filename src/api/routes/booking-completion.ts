import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { BookingCompletionBodySchema } from '../../coachnova/events';
import { jobStart } from '../../coachnova/jobs-from-bookings';
import { signalCoachingSession } from '../../temporal/clients/coaching-session';
import type { Db } from '../../db/database';
import { conflict, forbidden, notFound } from '../../lib/errors';
import type { ApiDeps } from '../deps';
import { requireUser } from '../middleware/auth';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseBody } from '../validate';

const CompletedBookingSchema = z.object({
  booking: z.object({
    id: z.string(),
    status: z.literal('COMPLETED'),
    worker_id: z.string().nullable(),
    finished_at: z.string(),
    rating: z.number().nullable(),
    minutes_late: z.number().nullable(),
  }),
  coaching_session: z.string().nullable().describe("the worker's CoachNova session that received the job, or null"),
});

openApiRegistry.registerPath({
  method: 'post',
  path: '/bookings/{id}/complete',
  summary: "Mark a booking done (operator or the booking's customer); feeds the worker's CoachNova session",
  tags: ['bookings'],
  request: {
    params: z.object({ id: z.string() }),
    body: { content: { 'application/json': { schema: BookingCompletionBodySchema } } },
  },
  responses: {
    200: { description: 'completed', content: { 'application/json': { schema: CompletedBookingSchema } } },
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

const UUID = z.uuid();

type CompletionBody = z.infer<typeof BookingCompletionBodySchema>;

/**
 * COMPLETED only from an open status, in one conditional UPDATE (two racing calls cannot both
 * win), together with the customer's last_booking_at, in one transaction.
 */
async function completeBooking(db: Db, bookingId: string, body: CompletionBody, finishedAt: Date) {
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

export function bookingCompletionRouter({ config, db, temporal, logger }: ApiDeps): Router {
  const router = Router();

  router.post('/bookings/:id/complete', requireUser, async (req, res) => {
    const bookingId = req.params.id as string;
    if (!UUID.safeParse(bookingId).success) throw notFound('booking');
    const body = parseBody(BookingCompletionBodySchema, req);
    const current = await db.selectFrom('bookings').select(['customer_id', 'status']).where('id', '=', bookingId).executeTakeFirst();
    if (!current) throw notFound('booking');
    if (req.auth!.role !== 'operator' && req.auth!.sub !== current.customer_id) throw forbidden("only an operator or the booking's customer can complete it");

    const finishedAt = body.finished_at ? new Date(body.finished_at) : new Date();
    const booking = await completeBooking(db, bookingId, body, finishedAt);
    if (!booking) {
      const now = await db.selectFrom('bookings').select('status').where('id', '=', bookingId).executeTakeFirst();
      throw conflict(`booking is ${now?.status ?? current.status} and cannot be completed`, { status: now?.status ?? current.status });
    }

    let session: string | null = null;
    if (booking.worker_id) {
      const job = {
        booking_id: booking.id,
        rating: booking.rating,
        feedback: booking.feedback,
        started_at: jobStart({ ...booking, finished_at: finishedAt }),
        finished_at: finishedAt.toISOString(),
        minutes_late: booking.minutes_late,
        correlation_id: req.correlationId,
      };
      try {
        session = await signalCoachingSession(temporal, config, booking.worker_id, { type: 'job_completed', payload: job }, req.correlationId);
      } catch (error) {
        // The booking is done whatever CoachNova's state; the worker's next event or the
        // session's start from bookings picks this job up.
        logger.error({ err: error, bookingId, correlationId: req.correlationId }, 'coachnova: could not signal the worker session');
      }
    }
    res.json({
      booking: {
        id: booking.id,
        status: 'COMPLETED',
        worker_id: booking.worker_id,
        finished_at: finishedAt.toISOString(),
        rating: booking.rating,
        minutes_late: booking.minutes_late,
      },
      coaching_session: session,
    });
  });

  return router;
}
