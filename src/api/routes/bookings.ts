import { Router } from 'express';
import { z } from 'zod';
import { createBooking } from '../../bookings/create-booking';
import { forbidden, HttpError } from '../../lib/errors';
import { deliverMessageResponse } from '../../temporal/clients/message-response';
import { attributedBookings } from '../../smartengage/metrics';
import type { ApiDeps } from '../deps';
import { requireUser } from '../middleware/auth';
import { errorResponses, openApiRegistry } from '../openapi';
import { bookingTime } from '../../lib/bounded-time';
import { parseBody } from '../validate';

export const CreateBookingBody = z
  .object({
    service_id: z.uuid(),
    scheduled_at: bookingTime,
    customer_id: z.uuid().optional().openapi({ description: 'operators only; a customer books for themself' }),
    deep_link_token: z.string().min(10).max(2000).optional().openapi({ description: "the `token` of a reminder's landing URL: attributes the booking to that message" }),
  })
  .strict()
  .openapi('CreateBookingRequest');

const BookingSchema = z
  .object({
    id: z.uuid(),
    customer_id: z.uuid(),
    service_id: z.uuid(),
    status: z.literal('PENDING'),
    scheduled_at: z.string(),
    total_price: z.number(),
    source_message_id: z.uuid().nullable(),
    created_at: z.string(),
  })
  .openapi('Booking');

openApiRegistry.registerPath({
  method: 'post',
  path: '/bookings',
  summary: 'Book a service',
  description: 'A customer (bearer token) books for themself; an operator names the customer. With a deep-link token the booking is attributed to the reminder it came from and that message is marked BOOKED.',
  tags: ['bookings'],
  request: { body: { content: { 'application/json': { schema: CreateBookingBody } } } },
  responses: {
    201: { description: 'booking created (PENDING)', content: { 'application/json': { schema: BookingSchema } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function bookingsRouter({ config, db, temporal, logger }: ApiDeps): Router {
  const router = Router();

  router.post('/bookings', requireUser, async (req, res) => {
    const body = parseBody(CreateBookingBody, req);
    const auth = req.auth!;
    let customerId: string;
    if (auth.role === 'operator') {
      if (!body.customer_id) throw new HttpError(422, 'validation_failed', 'invalid request: customer_id', [{ path: 'customer_id', message: 'required when an operator books' }]);
      customerId = body.customer_id;
    } else if (auth.role === 'customer') {
      if (body.customer_id && body.customer_id !== auth.sub) throw forbidden('customers book for themselves');
      customerId = auth.sub;
    } else {
      throw forbidden('only customers and operators book');
    }

    const { booking, message } = await createBooking(db, config, {
      customerId,
      serviceId: body.service_id,
      scheduledAt: new Date(body.scheduled_at),
      deepLinkToken: body.deep_link_token,
    });

    if (message) {
      attributedBookings.inc();
      try {
        await deliverMessageResponse({ db, temporal }, message, { messageId: message.id, response: 'BOOKED', at: new Date().toISOString(), detail: booking.id });
      } catch (error) {
        // the booking stands; source_message_id already attributes it for analytics
        logger.warn({ err: error, correlation_id: req.correlationId, messageId: message.id }, 'could not record the booking response');
      }
    }
    const created: z.infer<typeof BookingSchema> = {
      ...booking,
      status: 'PENDING',
      scheduled_at: booking.scheduled_at.toISOString(),
      total_price: Number(booking.total_price),
      created_at: booking.created_at.toISOString(),
    };
    res.status(201).json(created);
  });

  return router;
}
