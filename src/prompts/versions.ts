import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { PromptEventAction, PromptStatus, PromptTemplate } from '../db/types';
import { conflict, HttpError, notFound } from '../lib/errors';
import { REPLY_INTENT_FALLBACK } from '../replies/intent-prompt';
import type { Activated, CreatePromptInput, PromptDetail, PromptSummary } from './schemas';

/**
 * Prompt versions as data (DESIGN.md Part 2, "The learning loop"): created as drafts, never
 * edited (a trigger refuses it too), activated — as a canary while its first messages wait for
 * an operator — and retired when another version of the same (agent, type, locale) takes over.
 * Activating a retired version is a rollback. Every step is an event with its actor.
 */

type Executor = Pick<Db, 'insertInto'>;

async function recordEvent(db: Executor, promptId: string, action: PromptEventAction, actor: string, details: Record<string, unknown> = {}): Promise<void> {
  await db.insertInto('prompt_version_events').values({ prompt_id: promptId, action, actor, details: JSON.stringify(details) }).execute();
}

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

function summary(row: PromptTemplate, messagesSent: number): PromptSummary {
  return {
    id: row.id,
    agent_type: row.agent_type,
    message_type: row.message_type as PromptSummary['message_type'],
    locale: row.locale,
    version: row.version,
    status: row.status,
    notes: row.notes,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    messages_sent: messagesSent,
    canary: row.status === 'canary' ? { messages: row.canary_messages, used: row.canary_used } : null,
    activated_at: row.activated_at?.toISOString() ?? null,
    retired_at: row.retired_at?.toISOString() ?? null,
  };
}

/** Messages each version has sent (SENT or DELIVERED), one grouped query for the whole list. */
async function messagesSentBy(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('ai_messages')
    .select(['template_id', sql<string>`count(*)`.as('n')])
    .where('template_id', 'in', ids)
    .where('delivery_status', 'in', ['SENT', 'DELIVERED'])
    .groupBy('template_id')
    .execute();
  return new Map(rows.map((r) => [r.template_id!, Number(r.n)]));
}

export interface PromptFilter {
  agent_type?: string;
  message_type?: string;
  locale?: string;
  status?: PromptStatus;
}

export async function listPromptVersions(db: Db, filter: PromptFilter): Promise<PromptSummary[]> {
  let query = db.selectFrom('prompt_templates').selectAll();
  if (filter.agent_type) query = query.where('agent_type', '=', filter.agent_type as PromptTemplate['agent_type']);
  if (filter.message_type) query = query.where('message_type', '=', filter.message_type as PromptTemplate['message_type']);
  if (filter.locale) query = query.where('locale', '=', filter.locale as PromptTemplate['locale']);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('agent_type').orderBy('message_type').orderBy('locale').orderBy('version', 'desc').execute();
  const sent = await messagesSentBy(db, rows.map((r) => r.id));
  return rows.map((r) => summary(r, sent.get(r.id) ?? 0));
}

export async function findPromptVersion(db: Db, id: string): Promise<PromptTemplate | undefined> {
  return db.selectFrom('prompt_templates').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function promptVersionDetail(db: Db, id: string): Promise<PromptDetail | null> {
  const row = await findPromptVersion(db, id);
  if (!row) return null;
  const sent = await messagesSentBy(db, [id]);
  const events = await db.selectFrom('prompt_version_events').selectAll().where('prompt_id', '=', id).orderBy('at').orderBy('id').execute();
  return {
    ...summary(row, sent.get(id) ?? 0),
    system_prompt: row.system_prompt,
    user_prompt: row.user_prompt,
    fallback_subject: row.fallback_subject,
    fallback_text: row.fallback_text,
    events: events.map((e) => ({ action: e.action, actor: e.actor, at: e.at.toISOString(), details: e.details })),
  };
}

/**
 * A new draft version, numbered next for its (agent, type, locale). Two creations racing for
 * the same number: the loser's insert fails on the unique key and it takes the next one.
 */
export async function createPromptVersion(db: Db, input: CreatePromptInput, actor: string): Promise<{ id: string; version: number; status: 'draft' }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const { max } = await trx
          .selectFrom('prompt_templates')
          .select(sql<number>`coalesce(max(version), 0)`.as('max'))
          .where('agent_type', '=', input.agent_type)
          .where('message_type', '=', input.message_type)
          .where('locale', '=', input.locale)
          .executeTakeFirstOrThrow();
        const row = await trx
          .insertInto('prompt_templates')
          .values({
            ...input,
            // a judge or classifier version has no fallback template (checked before: the fields
            // are absent); the classifier's columns hold the seed's fixed values (0017's CHECK)
            ...(input.message_type === 'REPLY_INTENT' ? REPLY_INTENT_FALLBACK : { fallback_subject: input.fallback_subject ?? '', fallback_text: input.fallback_text ?? '' }),
            notes: input.notes ?? null,
            version: Number(max) + 1,
            status: 'draft',
            created_by: actor,
          })
          .returning(['id', 'version'])
          .executeTakeFirstOrThrow();
        await recordEvent(trx, row.id, 'created', actor, { notes: input.notes ?? null });
        return { id: row.id, version: row.version, status: 'draft' as const };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new HttpError(503, 'busy', 'too many versions created at once for this prompt; try again');
}

export interface ActivationOptions {
  /** As asked; unset takes the default below. */
  canaryMessages?: number;
  /** SE_CANARY_MESSAGES: the canary of a new SmartEngage version. */
  defaultCanary: number;
}

/**
 * How many messages wait for review: as asked, else the default for a new SmartEngage version;
 * a rollback returns to a version that already ran, so it needs none unless asked. Only
 * SmartEngage reminders have an approval gate, so a CoachNova, judge or reply-classifier version
 * cannot be a canary (its canary would wait for reviews that never come).
 */
function canarySize(target: PromptTemplate, options: ActivationOptions): number {
  if (target.agent_type !== 'smartengage' || target.message_type !== 'REMINDER') {
    if (options.canaryMessages) throw new HttpError(422, 'canary_not_supported', 'only SmartEngage reminders have an approval gate; activate CoachNova, judge and reply-classifier versions with canary_messages 0');
    return 0;
  }
  if (options.canaryMessages !== undefined) return options.canaryMessages;
  return target.status === 'retired' ? 0 : options.defaultCanary;
}

/**
 * Makes a version the one in use for its (agent, type, locale) and retires the one before, in
 * one transaction. As a canary, its first messages wait for an operator before it counts as
 * active. Activating the version already active is a no-op; re-activating a canary restarts
 * its count (0 promotes it at once).
 */
export async function activatePromptVersion(db: Db, id: string, options: ActivationOptions, actor: string): Promise<Activated> {
  try {
    return await db.transaction().execute(async (trx) => {
      const target = await trx.selectFrom('prompt_templates').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!target) throw notFound('prompt version');
      if (target.status === 'active') return { id, version: target.version, status: target.status, retired: null };
      const canaryMessages = canarySize(target, options);
      const current = await trx
        .selectFrom('prompt_templates')
        .selectAll()
        .where('agent_type', '=', target.agent_type)
        .where('message_type', '=', target.message_type)
        .where('locale', '=', target.locale)
        .where('status', 'in', ['canary', 'active'])
        .where('id', '!=', id)
        .forUpdate()
        .executeTakeFirst();
      const now = new Date();
      if (current) {
        await trx.updateTable('prompt_templates').set({ status: 'retired', retired_at: now }).where('id', '=', current.id).execute();
        await recordEvent(trx, current.id, 'retired', actor, { replaced_by: { id, version: target.version } });
      }
      const status = canaryMessages > 0 ? 'canary' : 'active';
      await trx
        .updateTable('prompt_templates')
        .set({ status, canary_messages: canaryMessages, canary_used: 0, activated_at: now, retired_at: null, replaces_id: current?.id ?? target.replaces_id })
        .where('id', '=', id)
        .execute();
      const action: PromptEventAction = target.status === 'retired' ? 'rolled_back' : status === 'canary' ? 'canary_started' : 'activated';
      await recordEvent(trx, id, action, actor, { canary_messages: canaryMessages, previous: current ? { id: current.id, version: current.version } : null });
      return { id, version: target.version, status, retired: current ? { id: current.id, version: current.version } : null };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('another version of this prompt was activated at the same moment; list the versions and try again');
    throw error;
  }
}
