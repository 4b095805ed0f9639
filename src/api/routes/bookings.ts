import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/database';
import { forbidden, HttpError, notFound } from '../../lib/errors';
import { verifyDeepLinkToken } from '../../smartengage/deep-link-token';
import type { SigningSecrets } from '../../security/keys';
import { deliverMessageResponse } from '../../smartengage/deliver-response';
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

/** The message a deep-link token came from, if the token is genuine and belongs to this customer. */
async function attributedMessage(db: Db, secrets: SigningSecrets, token: string, customerId: string): Promise<{ id: string; workflow_id: string | null } | null> {
  // an expired link still says where the customer came from; only forgeries are refused
  const verdict = await verifyDeepLinkToken(token, secrets);
  const tokenId = verdict.ok ? verdict.claims.tokenId : verdict.reason === 'expired' ? verdict.tokenId : undefined;
  if (!tokenId) throw new HttpError(400, 'invalid_deep_link', 'deep_link_token is not a valid link token');
  const link = await db.selectFrom('deep_links').select(['customer_id', 'message_id']).where('token_id', '=', tokenId).executeTakeFirst();
  if (!link) throw new HttpError(400, 'invalid_deep_link', 'deep_link_token is not a valid link token');
  if (link.customer_id !== customerId) throw forbidden('the deep link belongs to another customer');
  if (!link.message_id) return null;
  return (await db.selectFrom('ai_messages').select(['id', 'workflow_id']).where('id', '=', link.message_id).executeTakeFirst()) ?? null;
}

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

    const customer = await db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst();
    if (!customer) throw notFound('customer');
    const service = await db.selectFrom('services').select(['id', 'is_active', 'base_price']).where('id', '=', body.service_id).executeTakeFirst();
    if (!service) throw notFound('service');
    if (!service.is_active) throw new HttpError(422, 'service_inactive', 'this service is no longer offered', [{ path: 'service_id', message: 'inactive service' }]);

    const message = body.deep_link_token ? await attributedMessage(db, config, body.deep_link_token, customerId) : null;
    const booking = await db
      .insertInto('bookings')
      .values({
        customer_id: customerId,
        service_id: service.id,
        status: 'PENDING',
        scheduled_at: new Date(body.scheduled_at),
        total_price: service.base_price,
        source_message_id: message?.id ?? null,
      })
      .returning(['id', 'customer_id', 'service_id', 'status', 'scheduled_at', 'total_price', 'source_message_id', 'created_at'])
      .executeTakeFirstOrThrow();

    if (message) {
      attributedBookings.inc();
      try {
        await deliverMessageResponse({ db, temporal }, message, { messageId: message.id, response: 'BOOKED', at: new Date().toISOString(), detail: booking.id });
      } catch (error) {
        // the booking stands; source_message_id already attributes it for analytics
        logger.warn({ err: error, correlation_id: req.correlationId, messageId: message.id }, 'could not record the booking response');
      }
    }
    res.status(201).json({
      ...booking,
      status: 'PENDING',
      scheduled_at: booking.scheduled_at.toISOString(),
      total_price: Number(booking.total_price),
      created_at: booking.created_at.toISOString(),
    });
  });

  return router;
}
