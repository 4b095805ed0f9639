import { Router } from 'express';
import { z } from 'zod';
import { BookingCompletionBodySchema } from '../../coachnova/events';
import { jobStart } from '../../coachnova/jobs-from-bookings';
import { signalCoachingSession } from '../../temporal/clients/coaching-session';
import { completeBooking } from '../../bookings/complete-booking';
import { notFound } from '../../lib/errors';
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

export function bookingCompletionRouter({ config, db, temporal, logger }: ApiDeps): Router {
  const router = Router();

  router.post('/bookings/:id/complete', requireUser, async (req, res) => {
    const bookingId = req.params.id as string;
    if (!UUID.safeParse(bookingId).success) throw notFound('booking');
    const body = parseBody(BookingCompletionBodySchema, req);
    const { booking, finishedAt } = await completeBooking(db, req.auth!, bookingId, body);

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
    const completed: z.infer<typeof CompletedBookingSchema> = {
      booking: {
        id: booking.id,
        status: 'COMPLETED',
        worker_id: booking.worker_id,
        finished_at: finishedAt.toISOString(),
        rating: booking.rating,
        minutes_late: booking.minutes_late,
      },
      coaching_session: session,
    };
    res.json(completed);
  });

  return router;
}
