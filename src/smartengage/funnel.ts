import { sql } from 'kysely';
import type { Db } from '../db/database';

export interface FunnelCounts {
  eligible: number | null;
  messages: number;
  sent: number;
  delivered: number;
  failed: number;
  clicked: number;
  booked: number;
  /** Messages answered with a reply, and with one classified book or reschedule (migration 0018). */
  replied: number;
  asked_to_book: number;
}

export interface FunnelRow extends FunnelCounts {
  dimension: 'total' | 'campaign' | 'prompt_version';
  key: string | null;
}

export interface FunnelFilter {
  from: Date;
  to: Date;
  campaignId?: string;
}

/**
 * SmartEngage's funnel — eligible → sent → delivered → clicked → booked — overall, by campaign
 * and by prompt version, in ONE statement (grouping sets over the period's messages, joined to
 * the period's campaigns for the eligible counts). Eligibility belongs to campaigns, so it has no
 * prompt-version figure. "Sent" counts messages handed to the mail server (SENT or DELIVERED);
 * a click is a tracked-link click or any stronger response; a booking is a BOOKED response or a
 * booking attributed to the message.
 */
export async function smartEngageFunnel(db: Db, filter: FunnelFilter): Promise<FunnelRow[]> {
  const campaignFilter = filter.campaignId ? sql`AND m.campaign_id = ${filter.campaignId}` : sql``;
  const campaignRowFilter = filter.campaignId ? sql`AND c.id = ${filter.campaignId}` : sql``;
  const result = await sql<FunnelRow>`
    WITH m AS (
      SELECT m.campaign_id, m.prompt_version, m.delivery_status,
        (dl.first_clicked_at IS NOT NULL OR m.user_response IN ('CLICKED', 'REPLIED', 'BOOKED')) AS clicked,
        (m.user_response = 'BOOKED' OR EXISTS (SELECT 1 FROM bookings b WHERE b.source_message_id = m.id)) AS booked,
        EXISTS (SELECT 1 FROM message_replies r WHERE r.message_id = m.id) AS replied,
        EXISTS (SELECT 1 FROM message_replies r WHERE r.message_id = m.id AND r.intent IN ('book', 'reschedule')) AS asked_to_book
      FROM ai_messages m
      LEFT JOIN deep_links dl ON dl.message_id = m.id
      WHERE m.agent_type = 'smartengage' AND m.created_at >= ${filter.from} AND m.created_at < ${filter.to} ${campaignFilter}
    ),
    e AS (
      SELECT c.id AS campaign_id, c.eligible_count FROM campaigns c
      WHERE c.created_at >= ${filter.from} AND c.created_at < ${filter.to} ${campaignRowFilter}
    ),
    g AS (
      SELECT grouping(campaign_id) AS gc, grouping(prompt_version) AS gp, campaign_id, prompt_version,
        count(*)::int AS messages,
        count(*) FILTER (WHERE delivery_status IN ('SENT', 'DELIVERED'))::int AS sent,
        count(*) FILTER (WHERE delivery_status = 'DELIVERED')::int AS delivered,
        count(*) FILTER (WHERE delivery_status = 'FAILED')::int AS failed,
        count(*) FILTER (WHERE clicked)::int AS clicked,
        count(*) FILTER (WHERE booked)::int AS booked,
        count(*) FILTER (WHERE replied)::int AS replied,
        count(*) FILTER (WHERE asked_to_book)::int AS asked_to_book
      FROM m
      GROUP BY GROUPING SETS ((), (campaign_id), (prompt_version))
    )
    SELECT 'total' AS dimension, NULL AS key, (SELECT coalesce(sum(eligible_count), 0)::int FROM e) AS eligible,
      g.messages, g.sent, g.delivered, g.failed, g.clicked, g.booked, g.replied, g.asked_to_book
    FROM g WHERE g.gc = 1 AND g.gp = 1
    UNION ALL
    SELECT 'campaign', coalesce(e.campaign_id, g.campaign_id)::text, e.eligible_count,
      coalesce(g.messages, 0), coalesce(g.sent, 0), coalesce(g.delivered, 0), coalesce(g.failed, 0), coalesce(g.clicked, 0), coalesce(g.booked, 0),
      coalesce(g.replied, 0), coalesce(g.asked_to_book, 0)
    FROM (SELECT * FROM g WHERE gc = 0 AND gp = 1) g
    FULL JOIN e ON e.campaign_id = g.campaign_id
    UNION ALL
    SELECT 'prompt_version', g.prompt_version::text, NULL, g.messages, g.sent, g.delivered, g.failed, g.clicked, g.booked, g.replied, g.asked_to_book
    FROM g WHERE g.gc = 1 AND g.gp = 0
  `.execute(db);
  return result.rows.map((r) => ({ ...r, eligible: r.eligible === null ? null : Number(r.eligible) }));
}

const rate = (num: number, den: number | null) => (den ? Math.round((num / den) * 10_000) / 10_000 : null);

/** Step-to-step and overall conversion rates of a funnel row (null when the base is zero). */
export function funnelRates(c: FunnelCounts) {
  return {
    sent_of_eligible: rate(c.sent, c.eligible),
    delivered_of_sent: rate(c.delivered, c.sent),
    clicked_of_sent: rate(c.clicked, c.sent),
    booked_of_clicked: rate(c.booked, c.clicked),
    booked_of_sent: rate(c.booked, c.sent),
  };
}
