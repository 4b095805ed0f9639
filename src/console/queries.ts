import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { workerStateView } from '../coachnova/worker-state';
import { runningSessionView } from '../temporal/clients/coaching-session';
import { campaignProgress } from '../temporal/clients/campaign';
import type { BoardWorker, CampaignListEntry, CoachnovaActivity, CustomerDetail, CustomerMatch } from './schemas';

/**
 * Read models for the operator console (DESIGN.md Part 2, "Operator console"): lists the
 * existing endpoints do not give (campaigns, customer search, the CoachNova board). Read only.
 */

/** Newest campaigns first; a running one's counts come live from its workflow (the table lags). */
export async function listCampaigns(db: Db, temporal: Client, limit: number): Promise<CampaignListEntry[]> {
  const rows = await db
    .selectFrom('campaigns as c')
    .leftJoin('experiments as e', 'e.campaign_id', 'c.id')
    .select(['c.id', 'c.segment_id', 'c.status', 'c.workflow_id', 'c.estimated_count', 'c.eligible_count', 'c.sent_count', 'c.failed_count', 'c.skipped_count', 'c.skipped_reasons', 'c.created_at', 'c.finished_at', 'e.id as experiment_id', 'e.name as experiment_name'])
    .orderBy('c.created_at', 'desc')
    .limit(limit)
    .execute();
  return Promise.all(
    rows.map(async (row) => {
      const running = row.status === 'RUNNING' || row.status === 'PENDING';
      // a progress query that fails (no worker yet) falls back to the stored counts
      const live = running ? await campaignProgress(temporal, row.workflow_id).catch(() => null) : null;
      const stored = { eligible: row.eligible_count, sent: row.sent_count, failed: row.failed_count, skipped: row.skipped_count, skippedReasons: row.skipped_reasons };
      const counts = live?.counts ?? stored;
      return {
        job_id: row.id,
        segment_id: row.segment_id,
        status: row.status,
        workflow_id: row.workflow_id,
        experiment_id: row.experiment_id ?? null,
        experiment_name: row.experiment_name ?? null,
        estimated_customers: row.estimated_count,
        counts: { eligible: counts.eligible, sent: counts.sent, failed: counts.failed, skipped: counts.skipped, skipped_reasons: counts.skippedReasons, in_flight: live?.inFlight ?? 0, awaiting_approval: live?.awaitingApproval ?? 0 },
        created_at: row.created_at.toISOString(),
        finished_at: row.finished_at?.toISOString() ?? null,
      };
    }),
  );
}


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** By exact id, else by email (exact, or beginning with the text typed). */
export async function searchCustomers(db: Db, text: string, limit: number): Promise<CustomerMatch[]> {
  const q = text.trim().toLowerCase();
  let query = db.selectFrom('users as u').innerJoin('customers as c', 'c.id', 'u.id').select(['u.id', 'u.email', 'u.full_name', 'u.locale']);
  if (UUID.test(q)) query = query.where('u.id', '=', q);
  else query = query.where(sql<string>`lower(u.email)`, 'like', `${q.replace(/[\\%_]/g, '\\$&')}%`);
  return query.orderBy('u.email').limit(limit).execute();
}


/** A customer with every message written to them, newest first, each with its safety verdict and response. */
export async function customerWithMessages(db: Db, customerId: string): Promise<CustomerDetail | null> {
  const customer = await db.selectFrom('users as u').innerJoin('customers as c', 'c.id', 'u.id').select(['u.id', 'u.email', 'u.full_name', 'u.locale']).where('u.id', '=', customerId).executeTakeFirst();
  if (!customer) return null;
  const rows = await db.selectFrom('ai_messages').selectAll().where('user_id', '=', customerId).orderBy('created_at', 'desc').limit(100).execute();
  return {
    customer,
    messages: rows.map((m) => {
      const checks = (m.safety_checks ?? {}) as { safe?: boolean; checks?: Array<{ name: string; passed: boolean }>; fallback_reason?: string };
      return {
        id: m.id,
        campaign_id: m.campaign_id,
        workflow_id: m.workflow_id,
        subject: m.subject,
        text: m.message_text,
        locale: m.locale,
        model: m.model,
        prompt_version: m.prompt_version,
        safety: { safe: typeof checks.safe === 'boolean' ? checks.safe : null, failed: (checks.checks ?? []).filter((c) => !c.passed).map((c) => c.name), fallback_reason: checks.fallback_reason ?? null },
        delivery_status: m.delivery_status,
        sent_at: m.sent_at?.toISOString() ?? null,
        response: m.user_response,
        responded_at: m.responded_at?.toISOString() ?? null,
        created_at: m.created_at.toISOString(),
      };
    }),
  };
}

const LEVEL_ORDER: Record<string, number> = { HIGH: 0, MODERATE: 1, LOW: 2 };

/**
 * Every worker's risk with its factors, highest risk first: the running session's view where one
 * runs, else computed from bookings (the same function as GET /internal/ai/coachnova/workers/:id).
 */
export async function coachnovaBoard(db: Db, config: Config, temporal: Client, limit: number, now = new Date()): Promise<BoardWorker[]> {
  const workers = await db.selectFrom('users as u').innerJoin('workers as w', 'w.id', 'u.id').select(['u.id', 'u.full_name', 'u.email']).where('u.is_active', '=', true).orderBy('u.full_name').limit(limit).execute();
  const board: BoardWorker[] = [];
  for (const w of workers) {
    const view = await workerStateView(db, config, w.id, () => runningSessionView(temporal, w.id).catch(() => null), now);
    if (view) board.push({ worker_id: w.id, full_name: w.full_name, email: w.email, view });
  }
  return board.sort((a, b) => (LEVEL_ORDER[a.view.risk?.level ?? 'LOW'] - LEVEL_ORDER[b.view.risk?.level ?? 'LOW']) || (b.view.risk?.score ?? 0) - (a.view.risk?.score ?? 0));
}

/** Recent coaching tips and supervisor escalations, optionally for one worker, newest first. */
export async function coachnovaActivity(db: Db, workerId: string | undefined, limit: number): Promise<CoachnovaActivity> {
  let tips = db
    .selectFrom('ai_messages as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.id', 'm.user_id as worker_id', 'u.full_name', 'm.message_type', 'm.subject', 'm.message_text', 'm.delivery_status', 'm.user_response', 'm.workflow_id', 'm.created_at'])
    .where('m.agent_type', '=', 'coachnova')
    .orderBy('m.created_at', 'desc')
    .limit(limit);
  let alerts = db
    .selectFrom('supervisor_alerts as a')
    .innerJoin('users as u', 'u.id', 'a.worker_id')
    .select(['a.id', 'a.worker_id', 'u.full_name', 'a.score', 'a.level', 'a.workflow_id', 'a.sent_at', 'a.created_at'])
    .orderBy('a.created_at', 'desc')
    .limit(limit);
  if (workerId) {
    tips = tips.where('m.user_id', '=', workerId);
    alerts = alerts.where('a.worker_id', '=', workerId);
  }
  const [tipRows, alertRows] = await Promise.all([tips.execute(), alerts.execute()]);
  return {
    tips: tipRows.map((t) => ({ ...t, created_at: t.created_at.toISOString() })),
    escalations: alertRows.map((a) => ({ ...a, score: Number(a.score), sent_at: a.sent_at?.toISOString() ?? null, created_at: a.created_at.toISOString() })),
  };
}
