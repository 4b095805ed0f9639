import type { SegmentCriteria } from '../smartengage/criteria';
import { assignedFacts, eligibleFacts } from '../smartengage/decision-facts';
import { recordDecisions, type Decision } from '../smartengage/decisions';
import { assignCustomers } from '../smartengage/experiment-store';
import { fetchSegmentPage } from '../smartengage/segment-query';
import { localDate } from '../core/local-time';
import type { ExperimentPlan, SegmentPage } from '../smartengage/types';
import type { ActivityDeps } from './deps';

export interface SegmentPageRequest {
  criteria: SegmentCriteria;
  /** The campaign's clock (ISO). */
  asOf: string;
  after: string | null;
  limit: number;
  /** The campaign the page is for: its decisions go on each member's timeline (absent in runs from before decisions). */
  campaignId?: string;
  /** The campaign's experiment: each member is put in an arm here, once. */
  experiment?: ExperimentPlan;
}

/**
 * The segment query as an activity: keyset pages small enough for one payload each. Where the
 * campaign decides who is contacted, it also records why (`eligible`, with the facts the rules
 * held on) and, in an experiment, assigns each member an arm (a holdout member is `skipped`).
 * Every write is keyed, so a retried page writes nothing twice and returns the same arms.
 */
export function createSegmentationActivities({ db }: ActivityDeps) {
  return {
    async fetchSegmentPage(input: SegmentPageRequest): Promise<SegmentPage> {
      const asOf = new Date(input.asOf);
      const rows = await fetchSegmentPage(db, input.criteria, asOf, input.after, input.limit);
      const assignments = input.experiment ? await assignCustomers(db, input.experiment, rows.map((r) => r.customerId)) : [];
      const armOf = new Map(assignments.map((a) => [a.customerId, a]));
      if (input.campaignId) {
        const campaignId = input.campaignId;
        const decisions: Decision[] = [];
        for (const row of rows) {
          const key = `${campaignId}:${row.customerId}`;
          decisions.push({ customerId: row.customerId, campaignId, workflowId: null, kind: 'eligible', facts: eligibleFacts(row, input.criteria, asOf), idempotencyKey: `${key}:eligible` });
          const assignment = armOf.get(row.customerId);
          if (!assignment || !input.experiment) continue;
          const facts = assignedFacts(input.experiment.experimentId, assignment.arm, input.experiment.arms, assignment.assignedAt);
          decisions.push({ customerId: row.customerId, campaignId, workflowId: null, kind: 'assigned', reason: assignment.arm.name, facts, idempotencyKey: `${key}:assigned` });
          if (assignment.arm.kind === 'holdout') {
            // A held-out customer has no reminder run (no per-day workflow id): the decision is
            // keyed by (campaign, customer) instead, so a retried or re-run page adds nothing, and
            // it says until when the customer counts in the holdout.
            const window = input.experiment.attributionWindowSeconds;
            const facts = {
              experiment_id: input.experiment.experimentId,
              arm: assignment.arm.name,
              holdout_decision: key,
              assigned_at: assignment.assignedAt.toISOString(),
              ...(window !== undefined ? { attribution_window_closes_at: new Date(assignment.assignedAt.getTime() + window * 1000).toISOString() } : {}),
              frequency_cap: 'not claimed: a held-out customer is not contacted',
            };
            decisions.push({ customerId: row.customerId, campaignId, workflowId: null, kind: 'skipped', reason: 'holdout', facts, idempotencyKey: `${key}:skipped` });
          }
        }
        await recordDecisions(db, decisions);
      }
      return {
        members: rows.map((r) => {
          const arm = armOf.get(r.customerId)?.arm;
          return { customerId: r.customerId, serviceId: r.serviceId, localDate: localDate(asOf, r.timezone), ...(arm ? { arm } : {}) };
        }),
        nextCursor: rows.length ? rows[rows.length - 1].customerId : input.after,
      };
    },
  };
}
