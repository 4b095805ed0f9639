import type { Db } from '../db/database';
import type { Locale } from '../db/types';
import { HttpError } from '../lib/errors';
import { assignArm } from './arm-assignment';
import type { ExperimentSpec } from './experiment-spec';
import type { ExperimentArmPlan, ExperimentPlan } from './types';

/** Stores an experiment and its arms for a campaign (before the campaign workflow starts). */
export async function createExperiment(db: Db, campaignId: string, spec: ExperimentSpec, attributionWindowSeconds: number): Promise<ExperimentPlan> {
  return db.transaction().execute(async (trx) => {
    const experiment = await trx
      .insertInto('experiments')
      .values({ campaign_id: campaignId, name: spec.name ?? null, attribution_window_seconds: attributionWindowSeconds })
      .returning('id')
      .executeTakeFirstOrThrow();
    const arms = await trx
      .insertInto('experiment_arms')
      .values(
        spec.arms.map((arm, position) => ({
          experiment_id: experiment.id,
          position,
          name: arm.name,
          kind: arm.kind,
          weight: arm.weight,
          prompt_version: arm.prompt_version ?? null,
          send_time: arm.send_time ?? null,
        })),
      )
      .returning(['id', 'position'])
      .execute();
    const idAt = new Map(arms.map((a) => [a.position, a.id]));
    return {
      experimentId: experiment.id,
      attributionWindowSeconds,
      arms: spec.arms.map((arm, position) => ({
        id: idAt.get(position)!,
        name: arm.name,
        kind: arm.kind,
        weight: arm.weight,
        promptVersion: arm.prompt_version ?? null,
        sendTime: arm.send_time ?? null,
      })),
    };
  });
}

export interface Assignment {
  customerId: string;
  arm: ExperimentArmPlan;
  assignedAt: Date;
  /** False when an earlier call (a retried activity, a second page run) had already assigned it. */
  fresh: boolean;
}

/**
 * Puts customers into arms (deterministic hash, `assignArm`) and stores it, once: the unique
 * (experiment, customer) key keeps the first assignment, and what is returned is what is stored.
 */
export async function assignCustomers(db: Db, plan: ExperimentPlan, customerIds: readonly string[]): Promise<Assignment[]> {
  if (customerIds.length === 0) return [];
  const inserted = await db
    .insertInto('experiment_assignments')
    .values(customerIds.map((customerId) => ({ experiment_id: plan.experimentId, customer_id: customerId, arm_id: assignArm(plan.experimentId, customerId, plan.arms).id })))
    .onConflict((oc) => oc.columns(['experiment_id', 'customer_id']).doNothing())
    .returning('customer_id')
    .execute();
  const fresh = new Set(inserted.map((r) => r.customer_id));
  const stored = await db
    .selectFrom('experiment_assignments')
    .select(['customer_id', 'arm_id', 'assigned_at'])
    .where('experiment_id', '=', plan.experimentId)
    .where('customer_id', 'in', customerIds)
    .execute();
  const armById = new Map(plan.arms.map((a) => [a.id, a]));
  return stored.map((r) => ({ customerId: r.customer_id, arm: armById.get(r.arm_id)!, assignedAt: r.assigned_at, fresh: fresh.has(r.customer_id) }));
}

/**
 * An llm arm's prompt version must exist for SmartEngage reminders in every locale the segment
 * may hold (versions are numbered per locale) before the campaign starts: found out later, every
 * customer of the arm would fail. A 422 naming what is missing.
 */
export async function assertPromptVersionsExist(db: Db, spec: ExperimentSpec, locales: readonly Locale[]): Promise<void> {
  const wanted = [...new Set(spec.arms.flatMap((a) => (a.prompt_version === undefined ? [] : [a.prompt_version])))];
  if (wanted.length === 0) return;
  const found = await db
    .selectFrom('prompt_templates')
    .select(['version', 'locale'])
    .where('agent_type', '=', 'smartengage')
    .where('message_type', '=', 'REMINDER')
    .where('version', 'in', wanted)
    .execute();
  const missing = wanted.flatMap((version) => locales.filter((locale) => !found.some((f) => f.version === version && f.locale === locale)).map((locale) => ({ version, locale })));
  if (missing.length > 0) {
    const names = missing.map((m) => `v${m.version}/${m.locale}`).join(', ');
    throw new HttpError(422, 'unknown_prompt_version', `no SmartEngage reminder prompt ${names} (set segment_criteria.locale to run a version that exists in one locale only)`, { missing });
  }
}
