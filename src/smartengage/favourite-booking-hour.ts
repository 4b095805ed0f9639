import { sql } from 'kysely';
import type { Db } from '../db/database';

/** Fewer past bookings than this say nothing about a habit: the window's start is used instead. */
export const MIN_BOOKINGS_FOR_PERSONAL_TIME = 3;

export interface FavouriteBookingHour {
  /** 0–23 in the customer's timezone, or null with fewer than the minimum bookings. */
  hour: number | null;
  /** Bookings made at that hour, and in all. */
  bookingsAtHour: number;
  bookings: number;
}

/**
 * The local hour at which a customer has most often made a booking (its `created_at`, the moment
 * they chose to book), in `timeZone` (already validated: `usableTimeZone`). Ties go to the hour
 * of the most recent booking. One grouped query over the customer's bookings
 * (bookings_customer_created_idx, 0011); cancelled bookings count, since the customer did book then.
 */
export async function favouriteBookingHour(db: Db, customerId: string, timeZone: string): Promise<FavouriteBookingHour> {
  const rows = await db
    .selectFrom('bookings')
    .select([
      sql<number>`extract(hour from created_at at time zone ${timeZone})::int`.as('hour'),
      sql<number>`count(*)::int`.as('n'),
      sql<number>`sum(count(*)) over ()::int`.as('total'),
    ])
    .where('customer_id', '=', customerId)
    .groupBy(sql`1`)
    .orderBy(sql`count(*)`, 'desc')
    .orderBy(sql`max(created_at)`, 'desc')
    .limit(1)
    .execute();
  const top = rows[0];
  if (!top) return { hour: null, bookingsAtHour: 0, bookings: 0 };
  const total = Number(top.total);
  return { hour: total >= MIN_BOOKINGS_FOR_PERSONAL_TIME ? Number(top.hour) : null, bookingsAtHour: Number(top.n), bookings: total };
}
