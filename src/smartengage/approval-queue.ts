import { holdContact } from './contact-claim';
import type { Db } from '../db/database';
import type { ApprovalDecision } from '../db/types';
import { takeCanarySlot } from '../prompts/canary';
import { reviewFlags } from '../safety/review-flags';
import type { SafetyCheckResult } from '../messaging/types';
import type { ApprovalView } from './approval-schemas';
import type { ApprovalGate, ApprovalReason, OpenApprovalInput } from './types';

/**
 * The approval queue in the database (migration 0010). A re-engagement workflow opens an entry
 * when its draft must wait — written by a canary prompt version whose review slots are not used
 * up, or "flagged" (passed every rule but close to a limit) — and records the decision when it
 * has one, so the queue is read here rather than by querying every workflow.
 */
export async function openApproval(db: Db, input: OpenApprovalInput): Promise<ApprovalGate> {
  return db.transaction().execute(async (trx) => {
    // a retried activity finds its own entry (and took its canary slot in the same transaction)
    const existing = await trx.selectFrom('message_approvals').select(['reason']).where('message_id', '=', input.messageId).executeTakeFirst();
    const version = await trx.selectFrom('prompt_templates').select(['id', 'replaces_id']).where('id', '=', input.templateId).executeTakeFirstOrThrow();
    const gate = (reason: ApprovalReason, opened: boolean): ApprovalGate => ({ wait: true, reason, opened, fallbackTemplateId: reason === 'canary' ? (version.replaces_id ?? version.id) : version.id });
    if (existing) return gate(existing.reason, false);

    const checks = (input.safety.checks ?? []) as SafetyCheckResult[];
    const flags = reviewFlags(checks, input.locale, input.settings);
    const reason: ApprovalReason | null = (await takeCanarySlot(trx, input.templateId)) ? 'canary' : flags.length > 0 ? 'flagged' : null;
    if (!reason) return { wait: false };
    const now = new Date();
    await trx
      .insertInto('message_approvals')
      .values({
        message_id: input.messageId,
        workflow_id: input.workflowId,
        customer_id: input.customerId,
        campaign_id: input.campaignId,
        prompt_id: input.templateId,
        prompt_version: input.promptVersion,
        reason,
        draft: JSON.stringify(input.draft),
        safety: JSON.stringify({ ...input.safety, flags }),
        model: input.model,
        waiting_since: now,
        expires_at: new Date(now.getTime() + input.settings.timeoutSeconds * 1000),
      })
      .execute();
    // no ai_messages row exists until the decision (and the send window after it): the claim
    // must outlive the wait, or another day's run could contact the customer inside the cap
    if (input.holdClaimHours !== undefined) await holdContact(trx, input.customerId, input.workflowId, input.settings.timeoutSeconds + input.holdClaimHours * 3600);
    return gate(reason, true);
  });
}

/** Stores the decision once; false when the entry already had one (a retried activity). */
export async function recordApprovalDecision(db: Db, input: { messageId: string; decision: ApprovalDecision; note?: string | null; decidedBy: string }): Promise<boolean> {
  const result = await db
    .updateTable('message_approvals')
    .set({ decision: input.decision, note: input.note ?? null, decided_by: input.decidedBy, decided_at: new Date() })
    .where('message_id', '=', input.messageId)
    .where('decision', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findApproval(db: Db, messageId: string) {
  return db.selectFrom('message_approvals').selectAll().where('message_id', '=', messageId).executeTakeFirst();
}

/** Entries still waiting, oldest first (the order an operator should work through them). */
export async function waitingApprovals(db: Db, limit: number): Promise<ApprovalView[]> {
  const rows = await db.selectFrom('message_approvals').selectAll().where('decision', 'is', null).orderBy('waiting_since').limit(limit).execute();
  return rows.map((r) => ({
    message_id: r.message_id,
    workflow_id: r.workflow_id,
    customer_id: r.customer_id,
    campaign_id: r.campaign_id,
    prompt_version: r.prompt_version,
    prompt_id: r.prompt_id,
    reason: r.reason,
    draft: r.draft,
    model: r.model,
    safety: r.safety,
    waiting_since: r.waiting_since.toISOString(),
    expires_at: r.expires_at.toISOString(),
  }));
}
