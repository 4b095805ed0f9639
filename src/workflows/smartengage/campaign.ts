import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { reengagementWorkflowId } from '../../smartengage/core/settings';
import type { CampaignCounts, CampaignInput, CampaignPhase, CampaignState, ReengagementOutcome, SegmentPageMember } from '../../smartengage/types';
import { AgentTypeKey, CampaignIdKey, CorrelationIdKey, CustomerIdKey } from '../../temporal/search-attributes';
import { campaignProgressQuery, REENGAGEMENT_WORKFLOW, reengagementOutcomeSignal } from './definitions';
import type { reengageCustomer } from './reengagement';
import { activityRetry } from './retry';

const emptyCounts = (): CampaignCounts => ({ eligible: 0, started: 0, sent: 0, failed: 0, skipped: 0, skippedReasons: {} });

/**
 * One segment run (DESIGN.md SmartEngage step 3). Pages through the segment with a keyset
 * cursor, starts one re-engagement workflow per customer inside a sliding window of
 * `concurrency`, and counts the outcomes the children signal back. Child ids are per customer
 * and local day, so a customer another run already handles today is counted `already_handled`
 * rather than contacted twice. The run continues as new with cursor and counts once it has
 * started about `maxChildrenPerRun` children (or the server suggests it), keeping history bounded.
 */
export async function smartEngageCampaign(input: CampaignInput): Promise<CampaignCounts> {
  const { campaignId, settings } = input;
  const acts = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: activityRetry(settings.reengagement.retry) });
  const state: CampaignState = input.state
    ? { ...input.state, runs: input.state.runs + 1 }
    : { asOf: new Date().toISOString(), cursor: null, exhausted: false, counts: emptyCounts(), runs: 1 };
  const counts = state.counts;
  const inFlight = new Set<string>();
  /** Outcomes that arrived before their child's start was acknowledged (same activation). */
  const early = new Map<string, ReengagementOutcome>();
  const settled = new Set<string>();
  let newSkips: Record<string, number> = {};
  let phase: CampaignPhase = input.state ? 'paging' : 'starting';

  const tally = (outcome: ReengagementOutcome) => {
    if (outcome.status === 'sent') counts.sent++;
    else if (outcome.status === 'failed') counts.failed++;
    else {
      const reason = outcome.reason ?? 'unknown';
      counts.skipped++;
      counts.skippedReasons[reason] = (counts.skippedReasons[reason] ?? 0) + 1;
    }
  };
  const settle = (outcome: ReengagementOutcome) => {
    if (inFlight.delete(outcome.workflowId)) {
      settled.add(outcome.workflowId);
      tally(outcome);
    } else if (!settled.has(outcome.workflowId)) {
      early.set(outcome.workflowId, outcome);
    }
  };
  setHandler(reengagementOutcomeSignal, settle);
  setHandler(campaignProgressQuery, () => ({ campaignId, phase, cursor: state.cursor, inFlight: inFlight.size, runs: state.runs, counts }));

  const startReengagement = async (member: SegmentPageMember) => {
    const workflowId = reengagementWorkflowId(member.customerId, member.localDate);
    try {
      const child = await startChild<typeof reengageCustomer>(REENGAGEMENT_WORKFLOW, {
        workflowId,
        args: [{ customerId: member.customerId, serviceId: member.serviceId, campaignId, correlationId: input.correlationId, settings: settings.reengagement, reportTo: workflowInfo().workflowId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: AgentTypeKey, value: 'smartengage' },
          { key: CustomerIdKey, value: member.customerId },
          { key: CampaignIdKey, value: campaignId },
          { key: CorrelationIdKey, value: input.correlationId },
        ],
        memo: { campaignId, serviceId: member.serviceId },
      });
      counts.started++;
      inFlight.add(workflowId);
      const arrived = early.get(workflowId);
      if (arrived) {
        early.delete(workflowId);
        settle(arrived);
      }
      // the signal is the normal report; a child that fails outright is counted from its result
      child.result().then(settle, () => settle({ workflowId, status: 'failed', reason: 'workflow_failed' }));
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      tally({ workflowId, status: 'skipped', reason: 'already_handled' });
      newSkips.already_handled = (newSkips.already_handled ?? 0) + 1;
    }
  };

  // Starts are not awaited one by one: every start issued in one activation goes to the server
  // in one workflow task, instead of one round trip per customer.
  const starting = new Set<string>();
  let startError: unknown;
  const beginStart = (member: SegmentPageMember) => {
    const key = member.customerId;
    starting.add(key);
    startReengagement(member).then(
      () => starting.delete(key),
      (error) => {
        starting.delete(key);
        startError ??= error;
      },
    );
  };

  const saveProgress = async () => {
    await acts.saveCampaignProgress({ campaignId, counts, newSkips });
    newSkips = {};
  };

  const runPages = async (): Promise<CampaignCounts> => {
    // runs recorded before starts were batched replay one start per round trip
    const parallelStarts = patched('parallel-reengagement-starts');
    if (!input.state) await acts.startCampaignRun({ campaignId });
    phase = 'paging';
    let startedThisRun = 0;
    while (!state.exhausted) {
      const limit = pageLimit(input, counts.eligible);
      const page = limit > 0 ? await acts.fetchSegmentPage({ criteria: input.criteria, asOf: state.asOf, after: state.cursor, limit }) : { members: [], nextCursor: state.cursor };
      for (const member of page.members) {
        await condition(() => inFlight.size + starting.size < settings.concurrency || startError !== undefined);
        if (startError !== undefined) break;
        if (parallelStarts) beginStart(member);
        else await startReengagement(member);
        counts.eligible++;
        state.cursor = member.customerId;
      }
      await condition(() => starting.size === 0);
      if (startError !== undefined) throw startError;
      startedThisRun += page.members.length;
      state.exhausted = page.members.length < limit || pageLimit(input, counts.eligible) === 0;
      await saveProgress();
      if (!state.exhausted && (startedThisRun + settings.pageSize > settings.maxChildrenPerRun || workflowInfo().continueAsNewSuggested)) {
        phase = 'draining';
        await condition(() => inFlight.size === 0);
        await saveProgress();
        await condition(allHandlersFinished);
        return continueAsNew<typeof smartEngageCampaign>({ ...input, state });
      }
    }
    phase = 'draining';
    await condition(() => inFlight.size === 0);
    await acts.completeCampaign({ campaignId, counts });
    phase = 'completed';
    return counts;
  };

  try {
    return await runPages();
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    // the row must not stay RUNNING: record how far the campaign got and why it stopped
    const cancelled = isCancellation(error);
    await CancellationScope.nonCancellable(() =>
      acts.completeCampaign({ campaignId, counts, status: cancelled ? 'CANCELLED' : 'FAILED', error: cancelled ? 'cancelled' : String((error as Error)?.message ?? error) }),
    );
    throw error;
  }
}

/** Customers to ask for next: a page, or fewer when `max_customers` is nearly reached. */
function pageLimit(input: CampaignInput, eligibleSoFar: number): number {
  const max = input.criteria.max_customers;
  return max === undefined ? input.settings.pageSize : Math.min(input.settings.pageSize, max - eligibleSoFar);
}
