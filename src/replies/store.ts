import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ReplyChannel, ReplyIntent } from '../db/types';
import { repliesUnderstood } from '../lib/metrics';
import { revokeMarketingConsent } from '../messaging/consent';
import type { Classification } from './intent';

/**
 * Replies as rows (migration 0018): stored once per (message, dedupe key), then classified and
 * acted on by the reply workflow's activities. Every step is idempotent: a retried activity
 * finds the intent already stored, the decision already on the timeline, the metric counted.
 */

export interface IncomingReply {
  messageId: string;
  channel: ReplyChannel;
  /** The reply as the person wrote it, quoted history and signature removed. */
  text: string;
  /** The email's Message-ID header: the same mail delivered twice has the same one. */
  emailMessageId?: string | null;
  correlationId?: string | null;
}

/** The Message-ID when there is one, else a hash of the text: either way a redelivery finds its row. */
export function dedupeKey(reply: Pick<IncomingReply, 'text' | 'emailMessageId'>): string {
  const id = reply.emailMessageId?.trim();
  if (id) return `message-id:${id.slice(0, 300)}`;
  return `sha256:${createHash('sha256').update(reply.text.normalize('NFC').replace(/\s+/g, ' ').trim()).digest('hex')}`;
}

/** Stores the reply unless this message already has it; `duplicate` says which. */
export async function storeReply(db: Db, userId: string, reply: IncomingReply): Promise<{ replyId: string; duplicate: boolean }> {
  const key = dedupeKey(reply);
  const inserted = await db
    .insertInto('message_replies')
    .values({
      message_id: reply.messageId,
      user_id: userId,
      channel: reply.channel,
      text: reply.text,
      dedupe_key: key,
      email_message_id: reply.emailMessageId ?? null,
      correlation_id: reply.correlationId ?? null,
    })
    .onConflict((oc) => oc.columns(['message_id', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { replyId: inserted.id, duplicate: false };
  const existing = await db.selectFrom('message_replies').select('id').where('message_id', '=', reply.messageId).where('dedupe_key', '=', key).executeTakeFirstOrThrow();
  return { replyId: existing.id, duplicate: true };
}

export interface ReplyContext {
  replyId: string;
  text: string;
  receivedAt: Date;
  channel: ReplyChannel;
  messageId: string;
  userId: string;
  agent: 'smartengage' | 'coachnova';
  role: 'CUSTOMER' | 'WORKER';
  messageType: string;
  messageText: string;
  messageWorkflowId: string | null;
  classified: Classification | null;
}

export async function loadReply(db: Db, replyId: string): Promise<ReplyContext | undefined> {
  const row = await db
    .selectFrom('message_replies as r')
    .innerJoin('ai_messages as m', 'm.id', 'r.message_id')
    .select([
      'r.id', 'r.text', 'r.received_at', 'r.channel', 'r.message_id', 'r.user_id', 'r.intent', 'r.summary', 'r.requested_date', 'r.mood',
      'r.classified_by', 'r.prompt_version', 'r.classifier_error', 'r.flags', 'm.agent_type', 'm.role', 'm.message_type', 'm.message_text', 'm.workflow_id',
    ])
    .where('r.id', '=', replyId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    replyId: row.id,
    text: row.text,
    receivedAt: row.received_at,
    channel: row.channel,
    messageId: row.message_id,
    userId: row.user_id,
    agent: row.agent_type,
    role: row.role,
    messageType: row.message_type,
    messageText: row.message_text,
    messageWorkflowId: row.workflow_id,
    classified:
      row.intent && row.classified_by
        ? {
            intent: row.intent,
            summary: row.summary ?? '',
            requested_date: row.requested_date,
            mood: row.mood ?? 'unknown',
            classifiedBy: row.classified_by,
            promptVersion: row.prompt_version,
            error: row.classifier_error,
            flags: row.flags,
          }
        : null,
  };
}

/** The first classification stored wins (a retried activity keeps what an earlier attempt decided). */
export async function storeClassification(db: Db, replyId: string, c: Classification): Promise<Classification> {
  await db
    .updateTable('message_replies')
    .set({
      intent: c.intent,
      summary: c.summary,
      requested_date: c.requested_date,
      mood: c.mood,
      classified_by: c.classifiedBy,
      prompt_version: c.promptVersion,
      classifier_error: c.error,
      flags: c.flags,
      classified_at: new Date(),
    })
    .where('id', '=', replyId)
    .where('intent', 'is', null)
    .execute();
  return (await loadReply(db, replyId))!.classified!;
}

/** opt_out: marketing consent off at once; reminders still waiting re-check it before they send. */
export async function revokeConsentForReply(db: Db, replyId: string): Promise<{ userId: string; found: boolean }> {
  const reply = await db.selectFrom('message_replies').select('user_id').where('id', '=', replyId).executeTakeFirstOrThrow();
  return { userId: reply.user_id, ...(await revokeMarketingConsent(db, reply.user_id)) };
}

/**
 * The reply and its intent on the customer's timeline (kind `replied`, one entry per reply, for
 * SmartEngage messages to customers), counted in /metrics once, and marked handled.
 */
export async function recordReplyOutcome(db: Db, replyId: string): Promise<void> {
  await sql`
    INSERT INTO customer_decisions (customer_id, campaign_id, workflow_id, kind, reason, facts, idempotency_key)
    SELECT m.user_id, m.campaign_id, m.workflow_id, 'replied', r.intent,
      jsonb_build_object('message_id', m.id, 'reply_id', r.id, 'intent', r.intent, 'summary', r.summary,
        'requested_date', r.requested_date, 'channel', r.channel, 'classified_by', r.classified_by, 'flags', to_jsonb(r.flags)),
      ${`reply:${replyId}`}
    FROM message_replies r JOIN ai_messages m ON m.id = r.message_id
    WHERE r.id = ${replyId} AND r.intent IS NOT NULL AND m.agent_type = 'smartengage' AND m.role = 'CUSTOMER'
    ON CONFLICT (idempotency_key) DO NOTHING`.execute(db);
  const handled = await db
    .updateTable('message_replies')
    .set({ handled_at: new Date() })
    .where('id', '=', replyId)
    .where('handled_at', 'is', null)
    .returning(['intent', 'channel'])
    .executeTakeFirst();
  if (handled) repliesUnderstood.inc({ intent: handled.intent ?? 'other', channel: handled.channel });
}

export interface QueuedReply {
  id: string;
  intent: ReplyIntent | null;
  summary: string | null;
  text: string;
  channel: ReplyChannel;
  requested_date: string | null;
  flags: string[];
  classified_by: string | null;
  received_at: string;
  user_id: string;
  message: { id: string; agent_type: string; message_type: string; subject: string | null; message_text: string; sent_at: string | null };
  booking: { id: string; status: string; scheduled_at: string; service_name: string; worker_id: string | null } | null;
}

/**
 * The operators' queue of replies (e.g. `intent=complaint`), newest first, each with the message
 * it answered and the booking that message was about: the latest booking of the recipient (as
 * customer, or as worker for CoachNova) scheduled before the message was written.
 */
export async function listReplies(db: Db, filter: { intent?: ReplyIntent; limit: number; before?: Date }) {
  const rows = await sql<{
    id: string; intent: ReplyIntent | null; summary: string | null; text: string; channel: ReplyChannel; requested_date: string | null; flags: string[];
    classified_by: string | null; received_at: Date; user_id: string; m_id: string; agent_type: string; message_type: string; subject: string | null;
    message_text: string; sent_at: Date | null; b_id: string | null; b_status: string | null; b_scheduled_at: Date | null; b_service: string | null; b_worker: string | null;
  }>`
    SELECT r.id, r.intent, r.summary, r.text, r.channel, r.requested_date, r.flags, r.classified_by, r.received_at, r.user_id,
      m.id AS m_id, m.agent_type, m.message_type, m.subject, m.message_text, m.sent_at,
      b.id AS b_id, b.status AS b_status, b.scheduled_at AS b_scheduled_at, b.service AS b_service, b.worker_id AS b_worker
    FROM message_replies r
    JOIN ai_messages m ON m.id = r.message_id
    LEFT JOIN LATERAL (
      SELECT b.id, b.status, b.scheduled_at, s.name AS service, b.worker_id FROM bookings b JOIN services s ON s.id = b.service_id
      WHERE (CASE WHEN m.role = 'WORKER' THEN b.worker_id ELSE b.customer_id END) = m.user_id AND b.scheduled_at <= m.created_at
      ORDER BY b.scheduled_at DESC LIMIT 1
    ) b ON true
    WHERE ${filter.intent ? sql`r.intent = ${filter.intent}` : sql`true`} AND ${filter.before ? sql`r.received_at < ${filter.before}` : sql`true`}
    ORDER BY r.received_at DESC
    LIMIT ${filter.limit}`.execute(db);
  return rows.rows.map(
    (r): QueuedReply => ({
      id: r.id,
      intent: r.intent,
      summary: r.summary,
      text: r.text,
      channel: r.channel,
      requested_date: r.requested_date,
      flags: r.flags,
      classified_by: r.classified_by,
      received_at: new Date(r.received_at).toISOString(),
      user_id: r.user_id,
      message: { id: r.m_id, agent_type: r.agent_type, message_type: r.message_type, subject: r.subject, message_text: r.message_text, sent_at: r.sent_at ? new Date(r.sent_at).toISOString() : null },
      booking: r.b_id
        ? { id: r.b_id, status: r.b_status!, scheduled_at: new Date(r.b_scheduled_at!).toISOString(), service_name: r.b_service!, worker_id: r.b_worker }
        : null,
    }),
  );
}
