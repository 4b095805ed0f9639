import { isExpression, sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database';
import type { DecisionKind, UserResponse } from '../db/types';

/** One decision about a customer and the facts it was taken on (DESIGN.md Part 2, "Explanations"). */
export interface Decision {
  customerId: string;
  campaignId: string | null;
  workflowId: string | null;
  kind: DecisionKind;
  reason?: string | null;
  facts: Record<string, unknown>;
  /**
   * Unique per decision (e.g. `<workflow id>:scheduled`): the activity that took the decision
   * writes it, and a retry of that activity finds the row already there.
   */
  idempotencyKey: string;
}

/** Stores decisions; ones already stored under their key are left as they were (first write wins). */
export async function recordDecisions(db: Db, decisions: readonly Decision[]): Promise<void> {
  if (decisions.length === 0) return;
  await db
    .insertInto('customer_decisions')
    .values(
      decisions.map((d) => ({
        customer_id: d.customerId,
        campaign_id: d.campaignId,
        workflow_id: d.workflowId,
        kind: d.kind,
        reason: d.reason ?? null,
        facts: JSON.stringify(d.facts),
        idempotency_key: d.idempotencyKey,
      })),
    )
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

export const recordDecision = (db: Db, decision: Decision) => recordDecisions(db, [decision]);

/** The order of a reminder's life, for decisions stored at the same instant. */
const LIFE_ORDER: readonly DecisionKind[] = ['eligible', 'assigned', 'skipped', 'scheduled', 'composed', 'awaiting_approval', 'approved', 'rejected', 'sent', 'failed', 'clicked', 'replied', 'booked', 'ignored'];

export interface TimelineEvent {
  at: string;
  campaign_id: string | null;
  workflow_id: string | null;
  kind: DecisionKind;
  reason?: string;
  facts: Record<string, unknown>;
}

/**
 * A customer's decisions, newest first (customer_decisions_customer_idx), with the experiment
 * conversions read from `bookings` (see `bookingConversions`) merged in.
 */
export async function customerTimeline(db: Db, customerId: string, limit: number): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('customer_decisions')
    .select(['at', 'campaign_id', 'workflow_id', 'kind', 'reason', 'facts'])
    .where('customer_id', '=', customerId)
    .orderBy('at', 'desc')
    // decisions written by one statement share their instant: the later step of a reminder's life comes first
    .orderBy(sql`array_position(${sql.raw(`ARRAY[${LIFE_ORDER.map((k) => `'${k}'`).join(',')}]`)}::text[], kind)`, 'desc')
    .limit(limit)
    .execute();
  const stored: TimelineEvent[] = rows.map((r) => ({
    at: r.at.toISOString(),
    campaign_id: r.campaign_id,
    workflow_id: r.workflow_id,
    kind: r.kind,
    ...(r.reason ? { reason: r.reason } : {}),
    facts: r.facts,
  }));
  const conversions = await bookingConversions(db, customerId, limit);
  if (conversions.length === 0) return stored;
  // a conversion is the latest step of its instant; otherwise newest first, as stored
  return [...conversions, ...stored].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, limit);
}

/**
 * The experiment's conversions that no decision records: bookings (not cancelled) created inside
 * an assignment's attribution window — the rule the experiment report counts by — for which no
 * `booked` decision of that campaign names the booking. They are rows the marketplace's own
 * systems wrote straight to `bookings`, never through `POST /bookings` (which records the
 * decision as it books), so the timeline reads them from the table, as the report does.
 */
async function bookingConversions(db: Db, customerId: string, limit: number): Promise<TimelineEvent[]> {
  const { rows } = await sql<{ at: Date; campaign_id: string; reason: string; facts: Record<string, unknown> }>`
    SELECT b.created_at AS at, e.campaign_id,
           CASE WHEN b.source_message_id IS NULL THEN 'booked_without_link' ELSE 'booked_via_link' END AS reason,
           jsonb_build_object('booking_id', b.id, 'experiment_id', e.id, 'assigned_at', a.assigned_at,
             'attribution_window_seconds', e.attribution_window_seconds, 'booking_status', b.status,
             'source_message_id', b.source_message_id, 'recorded_from', 'bookings') AS facts
    FROM experiment_assignments a
    JOIN experiments e ON e.id = a.experiment_id
    JOIN bookings b ON b.customer_id = a.customer_id
      AND b.created_at >= a.assigned_at
      AND b.created_at < a.assigned_at + make_interval(secs => e.attribution_window_seconds)
      AND b.status <> 'CANCELLED'
    WHERE a.customer_id = ${customerId}
      AND NOT EXISTS (
        SELECT 1 FROM customer_decisions d
        WHERE d.customer_id = a.customer_id AND d.kind = 'booked'
          AND d.campaign_id IS NOT DISTINCT FROM e.campaign_id
          AND d.facts ->> 'booking_id' = b.id::text)
    ORDER BY b.created_at DESC
    LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ at: new Date(r.at).toISOString(), campaign_id: r.campaign_id, workflow_id: null, kind: 'booked', reason: r.reason, facts: r.facts }));
}

/**
 * A decision about a SmartEngage reminder (composed, sent, failed, a response), written from the
 * message row in one statement: the customer, campaign and workflow come from `ai_messages`, and
 * a message of another agent (CoachNova) records nothing. Keyed `<message id>:<kind>`.
 */
export async function recordMessageDecision(db: Db, messageId: string, kind: DecisionKind, reason: string | null, facts: Record<string, unknown>): Promise<void> {
  await messageDecisionInsert(sql`${messageId}::uuid`, kind, reason, facts).execute(db);
}

/**
 * The INSERT of `recordMessageDecision`, for a message named by an expression of the statement
 * it is part of (a batch of clicks names its messages by a CTE). `onlyIf` further conditions
 * the message row `m`.
 */
export function messageDecisionInsert(
  messageId: RawBuilder<unknown>,
  kind: DecisionKind,
  reason: string | null,
  facts: Record<string, unknown> | RawBuilder<unknown>,
  onlyIf?: RawBuilder<boolean>,
): RawBuilder<unknown> {
  // a batch of clicks names its facts per message: a jsonb expression over the row `m`
  const factsJson = isExpression(facts) ? facts : sql`${JSON.stringify(facts)}::jsonb`;
  return sql`
    INSERT INTO customer_decisions (customer_id, campaign_id, workflow_id, kind, reason, facts, idempotency_key)
    SELECT m.user_id, m.campaign_id, m.workflow_id, ${kind}, ${reason}, jsonb_build_object('message_id', m.id) || ${factsJson}, m.id::text || ':' || ${kind}::text
    FROM ai_messages m
    WHERE m.id = ${messageId} AND m.agent_type = 'smartengage' AND m.role = 'CUSTOMER'${onlyIf ? sql` AND ${onlyIf}` : sql``}
    ON CONFLICT (idempotency_key) DO NOTHING`;
}

const RESPONSE_KIND: Record<UserResponse, DecisionKind | null> = { CLICKED: 'clicked', REPLIED: 'replied', BOOKED: 'booked', IGNORED: 'ignored', ACKNOWLEDGED: null };

/** A customer's response to a reminder, on their timeline (a CoachNova acknowledgement is not a SmartEngage decision). */
export async function recordResponseDecision(db: Db, event: { messageId: string; response: UserResponse; at: string; detail?: string; replyId?: string }): Promise<void> {
  const kind = RESPONSE_KIND[event.response];
  if (!kind || !UUID.test(event.messageId)) return;
  // a stored reply goes on the timeline with its intent, once understood (src/replies/store.ts)
  if (event.replyId) return;
  await responseDecisionInsert(sql`${event.messageId}::uuid`, event).execute(db);
}

/**
 * The INSERT of `recordResponseDecision` for a message named by an expression. IGNORED goes on
 * the timeline only while it is the stored response: a click stored before the workflow heard
 * of it (its signal still in the outbox when the attribution window closed) keeps the message
 * CLICKED, and its timeline shows no `ignored`.
 */
export function responseDecisionInsert(messageId: RawBuilder<unknown>, event: { response: UserResponse; at: string; detail?: string }): RawBuilder<unknown> {
  const kind = RESPONSE_KIND[event.response];
  if (!kind) throw new Error(`no decision records a ${event.response} response`);
  const facts = { response: event.response, responded_at: event.at, ...(event.detail && kind === 'booked' ? { booking_id: event.detail } : {}) };
  const ignored = kind === 'ignored';
  return messageDecisionInsert(messageId, kind, ignored ? 'attribution_window_closed' : null, facts, ignored ? sql<boolean>`m.user_response = 'IGNORED'` : undefined);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A booking made without a reminder's link, by a customer inside an experiment's attribution
 * window (a held-out customer, or one who booked in the app): on their timeline as `booked`,
 * since the experiment counts it as a conversion. One statement over their open assignments.
 */
export async function recordBookingConversions(db: Db, customerId: string, bookingId: string): Promise<void> {
  await sql`
    INSERT INTO customer_decisions (customer_id, campaign_id, workflow_id, kind, reason, facts, idempotency_key)
    SELECT a.customer_id, e.campaign_id, NULL, 'booked', 'booked_without_link',
           jsonb_build_object('booking_id', ${bookingId}::text, 'experiment_id', e.id, 'assigned_at', a.assigned_at,
             'attribution_window_seconds', e.attribution_window_seconds),
           e.id || ':' || a.customer_id || ':booked:' || ${bookingId}::text
    FROM experiment_assignments a
    JOIN experiments e ON e.id = a.experiment_id
    WHERE a.customer_id = ${customerId} AND now() < a.assigned_at + make_interval(secs => e.attribution_window_seconds)
    ON CONFLICT (idempotency_key) DO NOTHING`.execute(db);
}
