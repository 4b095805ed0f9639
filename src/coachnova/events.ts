import { z } from 'zod';
import { eventTime } from '../lib/bounded-time';

/**
 * CoachNova's input events: what the API accepts and what it signals to a worker's session.
 * The session workflow imports only the types (`import type`), never zod itself.
 */

const isoTime = eventTime;
const uuid = z.uuid();

const JobCompletedFields = {
  booking_id: uuid,
  rating: z.number().int().min(1).max(5).optional(),
  feedback: z.string().trim().max(2000).optional(),
  started_at: isoTime.optional(),
  finished_at: isoTime.optional(),
  minutes_late: z.number().int().min(0).max(24 * 60).optional(),
};

/** `POST /internal/ai/coachnova/events`: one event about one worker, told apart by `type`. */
export const CoachnovaEventSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('job_completed'), worker_id: uuid, ...JobCompletedFields, occurred_at: isoTime.optional() })
    .refine((e) => !e.started_at || !e.finished_at || Date.parse(e.started_at) <= Date.parse(e.finished_at), {
      path: ['started_at'],
      message: 'started_at must not be after finished_at',
    }),
  z.object({
    type: z.literal('job_cancelled'),
    worker_id: uuid,
    booking_id: uuid,
    reason: z.string().trim().max(500).optional(),
    occurred_at: isoTime.optional(),
  }),
  z.object({
    type: z.literal('check_in'),
    worker_id: uuid,
    score: z.number().int().min(0).max(10),
    text: z.string().trim().max(1000).optional(),
    occurred_at: isoTime.optional(),
  }),
]);
export type CoachnovaEvent = z.infer<typeof CoachnovaEventSchema>;

/** `POST /internal/ai/coachnova/workers/:id/check-in`. */
export const CheckInBodySchema = z.object({
  score: z.number().int().min(0).max(10),
  text: z.string().trim().max(1000).optional(),
});

/** `POST /bookings/:id/complete`. */
export const BookingCompletionBodySchema = z.object({
  rating: JobCompletedFields.rating,
  feedback: JobCompletedFields.feedback,
  finished_at: JobCompletedFields.finished_at,
  minutes_late: JobCompletedFields.minutes_late,
});
export type BookingCompletionBody = z.infer<typeof BookingCompletionBodySchema>;

// What the session receives: the same facts, normalised (times filled in, absent values null).

export interface JobCompletedSignal {
  booking_id: string;
  rating: number | null;
  feedback: string | null;
  started_at: string | null;
  finished_at: string;
  minutes_late: number | null;
  correlation_id?: string;
}

export interface JobCancelledSignal {
  booking_id: string;
  at: string;
  reason: string | null;
  correlation_id?: string;
}

export interface CheckInSignal {
  score: number;
  text: string | null;
  at: string;
  correlation_id?: string;
}

export type SessionSignal =
  | { type: 'job_completed'; payload: JobCompletedSignal }
  | { type: 'job_cancelled'; payload: JobCancelledSignal }
  | { type: 'check_in'; payload: CheckInSignal };

/** Turns a validated API event into the signal the session gets; `now` fills in missing times. */
export function toSessionSignal(event: CoachnovaEvent, now: Date, correlationId?: string): SessionSignal {
  const at = event.occurred_at ?? now.toISOString();
  switch (event.type) {
    case 'job_completed':
      return {
        type: 'job_completed',
        payload: {
          booking_id: event.booking_id,
          rating: event.rating ?? null,
          feedback: event.feedback || null,
          started_at: event.started_at ?? null,
          finished_at: event.finished_at ?? at,
          minutes_late: event.minutes_late ?? null,
          correlation_id: correlationId,
        },
      };
    case 'job_cancelled':
      return { type: 'job_cancelled', payload: { booking_id: event.booking_id, at, reason: event.reason ?? null, correlation_id: correlationId } };
    case 'check_in':
      return { type: 'check_in', payload: { score: event.score, text: event.text || null, at, correlation_id: correlationId } };
  }
}
