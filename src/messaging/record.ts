import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database';
import { runLocalRules } from '../safety/rules';
import type { RecordMessageInput } from './types';

/**
 * Stores a composed message as PENDING, once per idempotency key: a retried activity (or a
 * replayed workflow) finds the row it already wrote. Refuses any text without a passed safety
 * verdict, and re-runs the local rules as a last line of defence, so nothing unsafe is ever
 * stored for sending whatever the caller did.
 */
export async function recordMessage(db: Db, input: RecordMessageInput): Promise<{ messageId: string }> {
  assertSafe(input);
  const { composed } = input;
  const inserted = await db
    .insertInto('ai_messages')
    .values({
      ...(input.messageId ? { id: input.messageId } : {}),
      idempotency_key: input.idempotencyKey,
      user_id: input.userId,
      worker_id: input.workerId ?? null,
      role: input.role,
      agent_type: input.agent,
      channel: input.channel,
      message_type: input.messageType,
      locale: input.locale,
      subject: composed.draft.subject,
      message_text: composed.draft.body,
      call_to_action: composed.draft.call_to_action,
      deep_link: input.deepLink ?? null,
      template_id: composed.templateId,
      campaign_id: input.campaignId ?? null,
      correlation_id: input.correlationId ?? null,
      workflow_id: input.workflowId,
      model: composed.model,
      prompt_version: composed.promptVersion,
      safety_checks: JSON.stringify(composed.safetyChecks),
      delivery_status: 'PENDING',
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { messageId: inserted.id };
  const existing = await db
    .selectFrom('ai_messages')
    .select('id')
    .where('idempotency_key', '=', input.idempotencyKey)
    .executeTakeFirstOrThrow();
  return { messageId: existing.id };
}

function assertSafe(input: RecordMessageInput): void {
  const refuse = (why: string) =>
    ApplicationFailure.create({ type: 'UnsafeMessage', message: `refusing to record message ${input.idempotencyKey}: ${why}`, nonRetryable: true });
  if (input.composed.safetyChecks?.safe !== true) throw refuse('its safety check did not pass');
  const failed = runLocalRules(input.composed.draft, input.locale).filter((r) => !r.passed && r.name !== 'language');
  if (failed.length > 0) throw refuse(`local rules failed: ${failed.map((r) => r.name).join(', ')}`);
}
