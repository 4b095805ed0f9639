import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/database';
import { OPEN_BOOKING_STATUSES, type CustomersTable, type Database, type UsersTable } from '../db/types';
import type { SegmentCriteria } from './criteria';

export interface SegmentMember {
  customerId: string;
  serviceId: string;
  timezone: string;
  /** The facts the rules were applied to, for the `eligible` decision. */
  lastBookingAt: Date | null;
  /** Completed bookings of the chosen service (it is the customer's most booked one). */
  serviceBookings: number;
  lastContactAt: Date | null;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

type SegmentTables = Database & { c: CustomersTable; u: UsersTable };
type SegmentExpression = ExpressionBuilder<SegmentTables, 'c' | 'u'>;

/**
 * One eligibility rule of DESIGN.md, named by the skip reason it stands for. The segment query
 * applies every rule; `explainEligibility` evaluates the same expressions for one customer, so
 * an explanation can never drift from what the query did.
 */
export interface SegmentRule {
  reason: string;
  holds: (eb: SegmentExpression) => Expression<SqlBool>;
}

/**
 * The eligibility rules: cadence passed (and within the look-back), marketing consent, active
 * customer, nothing sent inside the frequency cap, no contact claim still holding, no open
 * booking, the criteria's locale. `asOf` is the campaign's clock so that every page of one run
 * sees the same segment.
 *
 * Indexes (0001, 0004): customers (last_booking_at, id) for the range, users_marketing_consent_idx,
 * ai_messages (user_id, created_at), contact_claims PK, bookings_customer_open_idx and
 * bookings_customer_completed_idx for the per-candidate probes.
 */
export function segmentRules(criteria: SegmentCriteria, asOf: Date): SegmentRule[] {
  const cadenceCutoff = new Date(asOf.getTime() - criteria.booking_cadence_days * DAY_MS);
  const lookbackCutoff = new Date(asOf.getTime() - criteria.lookback_days * DAY_MS);
  const capCutoff = new Date(asOf.getTime() - criteria.frequency_cap_hours * HOUR_MS);
  const rules: SegmentRule[] = [
    { reason: 'cadence_not_passed', holds: (eb) => eb('c.last_booking_at', '<=', cadenceCutoff) },
    { reason: 'beyond_lookback', holds: (eb) => eb('c.last_booking_at', '>=', lookbackCutoff) },
    { reason: 'inactive', holds: (eb) => eb('u.is_active', '=', true) },
    { reason: 'not_a_customer', holds: (eb) => eb('u.role', '=', 'customer') },
    { reason: 'no_consent', holds: () => sql<SqlBool>`(u.consent ->> 'marketing') = 'true'` },
    {
      reason: 'frequency_cap',
      holds: ({ not, exists, selectFrom }) =>
        not(exists(selectFrom('ai_messages as m').select(sql`1`.as('one')).whereRef('m.user_id', '=', 'c.id').where('m.created_at', '>', capCutoff))),
    },
    {
      reason: 'contact_claimed',
      holds: ({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('contact_claims as cc')
              .select(sql`1`.as('one'))
              .whereRef('cc.user_id', '=', 'c.id')
              .where('cc.agent_type', '=', 'smartengage')
              .where('cc.expires_at', '>', asOf),
          ),
        ),
    },
    {
      reason: 'open_booking',
      holds: ({ not, exists, selectFrom }) =>
        not(exists(selectFrom('bookings as open').select(sql`1`.as('one')).whereRef('open.customer_id', '=', 'c.id').where('open.status', 'in', OPEN_BOOKING_STATUSES))),
    },
  ];
  if (criteria.locale) {
    const locale = criteria.locale;
    rules.push({ reason: 'other_locale', holds: (eb) => eb('u.locale', '=', locale) });
  }
  return rules;
}

function eligibleCustomers(db: Db, criteria: SegmentCriteria, asOf: Date) {
  let query = db.selectFrom('customers as c').innerJoin('users as u', 'u.id', 'c.id');
  for (const rule of segmentRules(criteria, asOf)) query = query.where(rule.holds);
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
          .select(['b.service_id', sql<number>`count(*)::int`.as('service_bookings')])
          .groupBy('b.service_id')
          .orderBy(sql`count(*)`, 'desc')
          .orderBy(sql`max(b.finished_at)`, 'desc')
          .orderBy('b.service_id')
          .limit(1)
          .as('fav'),
      (join) => join.onTrue(),
    )
    .select([
      'u.id as customerId',
      'fav.service_id as serviceId',
      'u.timezone as timezone',
      'c.last_booking_at as lastBookingAt',
      'fav.service_bookings as serviceBookings',
      (eb) => eb.selectFrom('ai_messages as lm').select((m) => m.fn.max('lm.created_at').as('at')).whereRef('lm.user_id', '=', 'c.id').as('lastContactAt'),
    ])
    .orderBy('u.id')
    .limit(limit);
  // on both sides of the join: the planner does not carry an inequality across u.id = c.id, and
  // with it each page starts both id-ordered index scans at the cursor instead of the beginning
  if (after) query = query.where('u.id', '>', after).where('c.id', '>', after);
  return query.execute();
}

export interface EligibilityExplanation {
  eligible: boolean;
  /** Every rule the customer fails, by the reason it stands for (empty when eligible). */
  failed: string[];
  /** Whether they have a completed booking of a service still offered (and named by the criteria). */
  has_service_to_remind: boolean;
}

/**
 * Why a customer is (not) in the segment right now: the segment's own rule expressions,
 * evaluated for this one customer. For a customer who never reached a campaign, so no decision
 * was stored about them; null when the id is not a customer at all.
 */
export async function explainEligibility(db: Db, criteria: SegmentCriteria, asOf: Date, customerId: string): Promise<EligibilityExplanation | null> {
  const rules = segmentRules(criteria, asOf);
  const row = await db
    .selectFrom('customers as c')
    .innerJoin('users as u', 'u.id', 'c.id')
    .select((eb) => [
      ...rules.map((rule, i) => eb.fn.coalesce(rule.holds(eb), sql<boolean>`false`).as(`r${i}`)),
      eb.exists(remindableBookings(db, criteria).select(sql`1`.as('one'))).as('has_service'),
    ])
    .where('c.id', '=', customerId)
    .executeTakeFirst();
  if (!row) return null;
  const values = row as unknown as Record<string, boolean>;
  const failed = rules.filter((_, i) => !values[`r${i}`]).map((r) => r.reason);
  if (!values.has_service) failed.push('no_service_to_remind');
  return { eligible: failed.length === 0, failed, has_service_to_remind: Boolean(values.has_service) };
}
