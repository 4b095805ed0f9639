import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/database';
import { OPEN_BOOKING_STATUSES } from '../db/types';
import type { SegmentCriteria } from './criteria';

export interface SegmentMember {
  customerId: string;
  serviceId: string;
  timezone: string;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The eligibility rules of DESIGN.md as one set-based query over `customers`:
 * cadence passed (and within the look-back), marketing consent, active customer, nothing sent
 * inside the frequency cap, no contact claim still holding, no open booking; joined laterally to
 * the service to remind them of — their most booked completed service that is still offered.
 * `asOf` is the campaign's clock so that every page of one run sees the same segment.
 *
 * Indexes (0001, 0004): customers (last_booking_at, id) for the range, users_marketing_consent_idx,
 * ai_messages (user_id, created_at), contact_claims PK, bookings_customer_open_idx and
 * bookings_customer_completed_idx for the per-candidate probes.
 */
function eligibleCustomers(db: Db, criteria: SegmentCriteria, asOf: Date) {
  const cadenceCutoff = new Date(asOf.getTime() - criteria.booking_cadence_days * DAY_MS);
  const lookbackCutoff = new Date(asOf.getTime() - criteria.lookback_days * DAY_MS);
  const capCutoff = new Date(asOf.getTime() - criteria.frequency_cap_hours * HOUR_MS);
  let query = db
    .selectFrom('customers as c')
    .innerJoin('users as u', 'u.id', 'c.id')
    .where('c.last_booking_at', '<=', cadenceCutoff)
    .where('c.last_booking_at', '>=', lookbackCutoff)
    .where('u.is_active', '=', true)
    .where('u.role', '=', 'customer')
    .where(sql<SqlBool>`(u.consent ->> 'marketing') = 'true'`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('ai_messages as m')
            .select(sql`1`.as('one'))
            .whereRef('m.user_id', '=', 'c.id')
            .where('m.created_at', '>', capCutoff),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('contact_claims as cc')
            .select(sql`1`.as('one'))
            .whereRef('cc.user_id', '=', 'c.id')
            .where('cc.agent_type', '=', 'smartengage')
            .where('cc.expires_at', '>', asOf),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('bookings as open')
            .select(sql`1`.as('one'))
            .whereRef('open.customer_id', '=', 'c.id')
            .where('open.status', 'in', OPEN_BOOKING_STATUSES),
        ),
      ),
    );
  if (criteria.locale) query = query.where('u.locale', '=', criteria.locale);
  return query;
}

/** A customer's completed bookings of services still offered (and named by the criteria, if any). */
function remindableBookings(db: Db, criteria: SegmentCriteria) {
  let bookings = db
    .selectFrom('bookings as b')
    .innerJoin('services as s', 's.id', 'b.service_id')
    .where(sql<SqlBool>`b.customer_id = c.id`) // correlated with the outer customer
    .where('b.status', '=', 'COMPLETED')
    .where('s.is_active', '=', true);
  if (criteria.service_ids?.length) bookings = bookings.where('b.service_id', 'in', criteria.service_ids);
  return bookings;
}

/** How many customers the segment holds right now (for the 202 answer and the campaign row). */
export async function countSegment(db: Db, criteria: SegmentCriteria, asOf: Date): Promise<number> {
  // a semi-join is enough to know a customer has a service to be reminded of; which one is the pages' business
  const segment = eligibleCustomers(db, criteria, asOf).where(({ exists }) => exists(remindableBookings(db, criteria).select(sql`1`.as('one'))));
  if (criteria.max_customers) {
    // a capped run needs no more than the cap: the scan stops there (a 5-customer run on a
    // million customers answers in milliseconds, not the whole count's ~0.7 s)
    const capped = segment.select(sql`1`.as('one')).limit(criteria.max_customers).as('capped');
    const row = await db.selectFrom(capped).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
  const row = await segment.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One page of the segment in customer-id order after `after` (keyset paging, so a campaign
 * never holds the whole segment), each with the service to remind them of and their timezone.
 */
export async function fetchSegmentPage(
  db: Db,
  criteria: SegmentCriteria,
  asOf: Date,
  after: string | null,
  limit: number,
): Promise<SegmentMember[]> {
  let query = eligibleCustomers(db, criteria, asOf)
    .innerJoinLateral(
      () =>
        remindableBookings(db, criteria)
          .select('b.service_id')
          .groupBy('b.service_id')
          .orderBy(sql`count(*)`, 'desc')
          .orderBy(sql`max(b.finished_at)`, 'desc')
          .orderBy('b.service_id')
          .limit(1)
          .as('fav'),
      (join) => join.onTrue(),
    )
    .select(['u.id as customerId', 'fav.service_id as serviceId', 'u.timezone as timezone'])
    .orderBy('u.id')
    .limit(limit);
  // on both sides of the join: the planner does not carry an inequality across u.id = c.id, and
  // with it each page starts both id-ordered index scans at the cursor instead of the beginning
  if (after) query = query.where('u.id', '>', after).where('c.id', '>', after);
  return query.execute();
}
