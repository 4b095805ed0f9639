import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ArmKind } from '../db/types';
import { upliftVsHoldout, type Uplift } from './uplift';

export interface ArmReport {
  name: string;
  kind: ArmKind;
  prompt_version: number | null;
  send_time: string | null;
  weight: number;
  customers: number;
  sent: number;
  clicked: number;
  /** Customers who booked inside the attribution window after their assignment, by any path. */
  booked: number;
  /** Of those, customers whose booking came through this campaign's link (`bookings.source_message_id`). */
  booked_via_link: number;
  booking_rate: number | null;
  uplift_vs_holdout: Uplift | null;
  /** Why `uplift_vs_holdout` is null: no holdout, this is the holdout, or not enough data yet. */
  uplift_note: string | null;
}

export interface ExperimentReport {
  job_id: string;
  experiment_id: string;
  name: string | null;
  attribution_window_seconds: number;
  /** When the last assigned customer's window closes: the figures are final after it. */
  window_closes_at: string | null;
  arms: ArmReport[];
}

/** What the grouped query gives per arm; the rates and the comparison are worked out in code. */
type ArmRow = Omit<ArmReport, 'booking_rate' | 'uplift_vs_holdout' | 'uplift_note'>;

/**
 * Per arm, in one grouped query: customers assigned; of them, those sent a reminder by this
 * campaign, those who clicked it, and those with a booking (not cancelled) created inside
 * [assigned_at, assigned_at + window) — read from `bookings`, so a booking the marketplace's own
 * systems wrote counts like one made through our link.
 */
export async function experimentReport(db: Db, campaignId: string): Promise<ExperimentReport | null> {
  const experiment = await db.selectFrom('experiments').selectAll().where('campaign_id', '=', campaignId).executeTakeFirst();
  if (!experiment) return null;
  const window = experiment.attribution_window_seconds;
  const rows = await sql<ArmRow>`
    SELECT arm.name, arm.kind, arm.prompt_version, arm.send_time, arm.weight,
           count(a.customer_id)::int AS customers,
           count(a.customer_id) FILTER (WHERE m.sent)::int AS sent,
           count(a.customer_id) FILTER (WHERE m.clicked)::int AS clicked,
           count(a.customer_id) FILTER (WHERE conv.booked)::int AS booked,
           count(a.customer_id) FILTER (WHERE conv.via_link)::int AS booked_via_link
    FROM experiment_arms arm
    LEFT JOIN experiment_assignments a ON a.arm_id = arm.id
    LEFT JOIN LATERAL (
      SELECT bool_or(msg.delivery_status IN ('SENT', 'DELIVERED')) AS sent,
             bool_or(msg.user_response IN ('CLICKED', 'BOOKED') OR dl.first_clicked_at IS NOT NULL) AS clicked,
             array_agg(msg.id) AS ids
      FROM ai_messages msg
      LEFT JOIN deep_links dl ON dl.message_id = msg.id
      WHERE msg.user_id = a.customer_id AND msg.campaign_id = ${campaignId}
    ) m ON true
    LEFT JOIN LATERAL (
      SELECT true AS booked, bool_or(b.source_message_id = ANY (m.ids)) AS via_link
      FROM bookings b
      WHERE b.customer_id = a.customer_id
        AND b.created_at >= a.assigned_at
        AND b.created_at < a.assigned_at + make_interval(secs => ${window})
        AND b.status <> 'CANCELLED'
      HAVING count(*) > 0
    ) conv ON true
    WHERE arm.experiment_id = ${experiment.id}
    GROUP BY arm.id, arm.position, arm.name, arm.kind, arm.prompt_version, arm.send_time, arm.weight
    ORDER BY arm.position`.execute(db);
  const last = await db
    .selectFrom('experiment_assignments')
    .select((eb) => eb.fn.max('assigned_at').as('last'))
    .where('experiment_id', '=', experiment.id)
    .executeTakeFirst();
  const lastAssigned = last?.last ? new Date(last.last as unknown as string) : null;
  const holdout = rows.rows.find((r) => r.kind === 'holdout');
  return {
    job_id: campaignId,
    experiment_id: experiment.id,
    name: experiment.name,
    attribution_window_seconds: window,
    window_closes_at: lastAssigned ? new Date(lastAssigned.getTime() + window * 1000).toISOString() : null,
    arms: rows.rows.map((r) => {
      const base = { ...r, weight: Number(r.weight), booking_rate: r.customers > 0 ? r.booked / r.customers : null };
      if (!holdout) return { ...base, uplift_vs_holdout: null, uplift_note: 'no holdout arm to compare with' };
      if (r === holdout) return { ...base, uplift_vs_holdout: null, uplift_note: 'the holdout is the baseline' };
      const result = upliftVsHoldout({ successes: r.booked, n: r.customers }, { successes: holdout.booked, n: holdout.customers });
      return { ...base, uplift_vs_holdout: result.uplift, uplift_note: result.reason };
    }),
  };
}

export interface AssignmentRow {
  customer_id: string;
  arm: string;
  kind: ArmKind;
  assigned_at: string;
  /** The reminder this campaign sent them (null for the holdout, or not sent yet). */
  message_id: string | null;
  deep_link: string | null;
}

/** Who is in which arm, with their reminder: a keyset page in customer-id order (for exports and the demo simulator). */
export async function experimentAssignments(db: Db, campaignId: string, after: string | null, limit: number): Promise<AssignmentRow[] | null> {
  const experiment = await db.selectFrom('experiments').select('id').where('campaign_id', '=', campaignId).executeTakeFirst();
  if (!experiment) return null;
  let query = db
    .selectFrom('experiment_assignments as a')
    .innerJoin('experiment_arms as arm', 'arm.id', 'a.arm_id')
    .leftJoin('ai_messages as m', (join) => join.onRef('m.user_id', '=', 'a.customer_id').on('m.campaign_id', '=', campaignId))
    .select(['a.customer_id', 'arm.name as arm', 'arm.kind', 'a.assigned_at', 'm.id as message_id', 'm.deep_link'])
    .where('a.experiment_id', '=', experiment.id)
    .orderBy('a.customer_id')
    .limit(limit);
  if (after) query = query.where('a.customer_id', '>', after);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, assigned_at: r.assigned_at.toISOString() }));
}
