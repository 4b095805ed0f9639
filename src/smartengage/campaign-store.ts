import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { CampaignStatus } from '../db/types';
import type { SegmentCriteria } from './criteria';
import type { CampaignCounts } from './types';

/** The `campaigns` row is the durable record of a job; the workflow keeps it current. */

export interface NewCampaign {
  id: string;
  segmentId: string;
  criteria: SegmentCriteria;
  estimated: number;
  workflowId: string;
  correlationId: string;
}

export async function findCampaign(db: Db, campaignId: string) {
  return db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
}

/** Inserts the row once; a retried insert (same id) finds the existing one. */
export async function insertCampaign(db: Db, campaign: NewCampaign): Promise<void> {
  await db
    .insertInto('campaigns')
    .values({
      id: campaign.id,
      segment_id: campaign.segmentId,
      criteria: JSON.stringify(campaign.criteria),
      status: 'PENDING',
      estimated_count: campaign.estimated,
      skipped_reasons: '{}',
      workflow_id: campaign.workflowId,
      correlation_id: campaign.correlationId,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function markCampaignRunning(db: Db, campaignId: string): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ status: 'RUNNING', started_at: sql`coalesce(started_at, now())`, updated_at: new Date() })
    .where('id', '=', campaignId)
    .where('status', 'in', ['PENDING', 'RUNNING'])
    .execute();
}

function countColumns(counts: CampaignCounts) {
  return {
    eligible_count: counts.eligible,
    sent_count: counts.sent,
    failed_count: counts.failed,
    skipped_count: counts.skipped,
    skipped_reasons: JSON.stringify(counts.skippedReasons),
    updated_at: new Date(),
  };
}

/** Absolute counts (not increments), so a retried write is harmless. */
export async function saveCampaignCounts(db: Db, campaignId: string, counts: CampaignCounts): Promise<void> {
  await db.updateTable('campaigns').set(countColumns(counts)).where('id', '=', campaignId).execute();
}

export type FinalCampaignStatus = Extract<CampaignStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>;

export async function finishCampaign(db: Db, campaignId: string, counts: CampaignCounts, status: FinalCampaignStatus, error?: string): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ ...countColumns(counts), status, error: error ?? null, finished_at: sql`coalesce(finished_at, now())` })
    .where('id', '=', campaignId)
    .execute();
}

export async function failCampaignStart(db: Db, campaignId: string, error: string): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ status: 'FAILED', error, finished_at: new Date(), updated_at: new Date() })
    .where('id', '=', campaignId)
    .execute();
}

/** How the customers of a campaign answered, from its messages (one grouped query). */
export async function campaignResponses(db: Db, campaignId: string): Promise<{ responses: Record<string, number>; delivery: Record<string, number> }> {
  const rows = await db
    .selectFrom('ai_messages')
    .select(['user_response', 'delivery_status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .groupBy(['user_response', 'delivery_status'])
    .execute();
  const responses: Record<string, number> = { CLICKED: 0, BOOKED: 0, REPLIED: 0, IGNORED: 0, PENDING: 0 };
  const delivery: Record<string, number> = {};
  for (const row of rows) {
    const n = Number(row.n);
    const response = row.user_response ?? 'PENDING';
    responses[response] = (responses[response] ?? 0) + n;
    delivery[row.delivery_status] = (delivery[row.delivery_status] ?? 0) + n;
  }
  return { responses, delivery };
}
