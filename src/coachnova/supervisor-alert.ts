import type { Db } from '../db/database';
import type { Mailer } from '../email/mailer';
import { contributingFactors, type BurnoutAssessment } from './core/burnout-score';
import { describeFactors } from './core/factor-labels';

export interface SupervisorAlertInput {
  idempotencyKey: string;
  workerId: string;
  assessment: BurnoutAssessment;
  correlationId?: string | null;
  workflowId: string;
}

export type SupervisorAlertResult =
  | { sent: true; alreadySent: boolean; providerMessageId: string | null }
  | { sent: false; reason: 'no_supervisor' | 'unknown_worker' };

/** A stable RFC 5322 Message-ID from the key, so a resend is recognisable downstream. */
const messageIdFor = (key: string) => `<${key.replace(/[^A-Za-z0-9._-]/g, '.')}@coachnova.shoktiai>`;

export function supervisorAlertText(workerName: string, assessment: BurnoutAssessment): { subject: string; text: string } {
  const scoring = contributingFactors(assessment);
  const lines = describeFactors(scoring, 'en').map((l) => `  - ${l}`);
  const override = assessment.override === 'check_in_at_or_below_threshold' ? ['The worker answered a check-in with a low score (3 or lower).'] : [];
  return {
    subject: `CoachNova: high burnout risk for ${workerName}`,
    text: [
      `Hello,`,
      ``,
      `CoachNova assessed ${workerName}'s burnout risk as ${assessment.level} (score ${assessment.score} of 100).`,
      ...override,
      `What raised it:`,
      ...(lines.length ? lines : ['  - (no single factor; see the check-in answer)']),
      ``,
      `CoachNova is sending ${workerName} a kind check-in message (after their quiet hours if it is night for them). Please talk with them about their workload and rest days.`,
      ``,
      `— CoachNova, ShoktiAI`,
    ].join('\n'),
  };
}

/**
 * Emails the worker's supervisor once per key: the row is claimed first (insert on conflict do
 * nothing), the mail carries a Message-ID derived from the key, and `sent_at` marks success, so
 * a retry after a crash between send and update resends the same identifiable mail at most.
 */
export async function sendSupervisorAlert(db: Db, mailer: Mailer, input: SupervisorAlertInput): Promise<SupervisorAlertResult> {
  const worker = await db
    .selectFrom('workers')
    .innerJoin('users', 'users.id', 'workers.id')
    .select(['users.full_name', 'workers.supervisor_email'])
    .where('workers.id', '=', input.workerId)
    .executeTakeFirst();
  if (!worker) return { sent: false, reason: 'unknown_worker' };
  if (!worker.supervisor_email) return { sent: false, reason: 'no_supervisor' };

  await db
    .insertInto('supervisor_alerts')
    .values({
      worker_id: input.workerId,
      idempotency_key: input.idempotencyKey,
      score: input.assessment.score,
      level: input.assessment.level,
      factors: JSON.stringify(input.assessment.factors),
      correlation_id: input.correlationId ?? null,
      workflow_id: input.workflowId,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
  const alert = await db
    .selectFrom('supervisor_alerts')
    .select(['id', 'sent_at', 'provider_message_id'])
    .where('idempotency_key', '=', input.idempotencyKey)
    .executeTakeFirstOrThrow();
  if (alert.sent_at) return { sent: true, alreadySent: true, providerMessageId: alert.provider_message_id };

  const { subject, text } = supervisorAlertText(worker.full_name, input.assessment);
  const sent = await mailer.send({ to: worker.supervisor_email, subject, text, messageId: messageIdFor(input.idempotencyKey) });
  await db
    .updateTable('supervisor_alerts')
    .set({ sent_at: new Date(), provider_message_id: sent.messageId })
    .where('id', '=', alert.id)
    .execute();
  return { sent: true, alreadySent: false, providerMessageId: sent.messageId };
}
