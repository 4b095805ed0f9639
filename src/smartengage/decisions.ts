import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { DecisionKind } from '../db/types';

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

/** A customer's decisions, newest first (customer_decisions_customer_idx). */
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
  return rows.map((r) => ({
    at: r.at.toISOString(),
    campaign_id: r.campaign_id,
    workflow_id: r.workflow_id,
    kind: r.kind,
    ...(r.reason ? { reason: r.reason } : {}),
    facts: r.facts,
  }));
}
